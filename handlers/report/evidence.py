"""The evidence step: files, and a fact typed where files are expected."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.reports import keyboards
from bot.reports.dialog import show_step
from bot.reports.draft import Draft, ReportForm
from bot.reports.evidence import MAX_FILES, incoming_file
from bot.reports.intake import FileIntake
from bot.reports.service import ReportService
from bot.reports.views import body_progress, done_hint, evidence_step, files_hint
from bot.settings import Settings
from bot.ui.callbacks import Action, ActionCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number
from bot.ui.replies import notice, present
from bot.ui.texts import round_video_refused
from handlers.filters import EVIDENCE, ROUND_VIDEO, TYPED_TEXT
from handlers.report.shared import advance, evidence_answer, files_expected, too_long
from handlers.uploads import confirmed, fetch_file, stored


def get_router() -> Router:
    router = Router(name="report.evidence")

    @router.message(ReportForm.evidence, EVIDENCE)
    async def evidence_file(
        message: Message,
        state: FSMContext,
        draft: Draft,
        view: ViewContext,
        bot: Bot,
        reports: ReportService,
        intake: FileIntake,
        user_key: bytes,
        event_update: Update,
        settings: Settings,
    ) -> None:
        file = incoming_file(message)
        if file is None or not draft.is_new(event_update.update_id):
            return
        if len(draft.files) >= MAX_FILES:
            await message.answer(
                _(
                    "You have already attached {max_files} files, the most a report can hold."
                ).format(max_files=format_number(MAX_FILES, view.locale))
                + " "
                + done_hint(),
                reply_markup=keyboards.evidence(has_files=True),
            )
            return
        destination = intake.for_draft(draft.draft_id)
        data = await fetch_file(message, bot, intake, destination, file, user_key, view.locale)
        if data is None:
            return
        saved = await stored(
            message,
            reports.add_draft_file(draft.draft_id, file, data, intake.file_key(destination, file)),
            settings.max_voice_minutes,
            view.locale,
        )
        if saved is None:
            return
        await intake.spend(user_key, len(data))
        draft.files.append(saved.id)
        await state.set_data(draft.to_data())
        await message.answer(
            confirmed(saved, _("File received.") + " " + files_hint(draft, view.locale)),
            reply_markup=keyboards.evidence(has_files=True),
        )

    @router.message(ReportForm.evidence, ROUND_VIDEO)
    async def evidence_round_video(message: Message, draft: Draft, view: ViewContext) -> None:
        await evidence_answer(message, draft, view, round_video_refused())

    @router.message(ReportForm.evidence, TYPED_TEXT)
    async def evidence_text(
        message: Message, state: FSMContext, draft: Draft, view: ViewContext, event_update: Update
    ) -> None:
        """A fact typed where files are expected is kept aside and offered to the description."""
        text = (message.text or "").strip()
        if not text:
            await files_expected(message, draft, view)
            return
        if not draft.is_new(event_update.update_id):
            return
        draft.pending.append(text)
        await state.set_data(draft.to_data())
        await message.answer(
            _("This step is for files. Add this text to the description of what happened?"),
            reply_markup=keyboards.add_text(),
        )

    @router.callback_query(ReportForm.evidence, ActionCB.filter(F.action == Action.ADD_TEXT))
    async def evidence_add_text(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        if not draft.pending:
            await notice(query, _("This button is no longer active."))
            return
        if draft.take_pending():
            said = _("Added to the description.") + " " + body_progress(draft, view.locale)
        else:
            draft.pending = []
            said = too_long(draft, view.locale) + " " + _("The text was not added.")
        await _save_and_present(query, state, draft, view, said)

    @router.callback_query(ReportForm.evidence, ActionCB.filter(F.action == Action.DROP_TEXT))
    async def evidence_drop_text(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        draft.pending = []
        await _save_and_present(query, state, draft, view, _("The text was not added."))

    @router.callback_query(ReportForm.evidence, ActionCB.filter(F.action == Action.FILES_INFO))
    async def evidence_info(query: CallbackQuery, draft: Draft, view: ViewContext) -> None:
        await present(query, *evidence_step(draft, view, details=True))

    @router.callback_query(
        ReportForm.evidence, ActionCB.filter(F.action.in_({Action.DONE, Action.SKIP}))
    )
    async def evidence_done(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        await advance(query, state, draft, ReportForm.evidence, view)

    @router.callback_query(ReportForm.evidence, ActionCB.filter(F.action == Action.CLEAR_FILES))
    async def evidence_clear(
        query: CallbackQuery,
        state: FSMContext,
        draft: Draft,
        view: ViewContext,
        reports: ReportService,
    ) -> None:
        await reports.discard_draft(draft.draft_id)
        draft.files = []
        await show_step(query, state, draft, ReportForm.evidence, view)

    return router


async def _save_and_present(
    query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext, said: str
) -> None:
    """Save the draft, then what became of the text kept aside, and the evidence step's hint."""
    await state.set_data(draft.to_data())
    await present(
        query,
        said + "\n\n" + files_hint(draft, view.locale),
        keyboards.evidence(has_files=bool(draft.files)),
    )
