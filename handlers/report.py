"""The citizen's report dialog: one step at a time, Back everywhere, nothing typed is lost."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.core import receipt
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines
from bot.reports import keyboards
from bot.reports.dialog import begin, show_step
from bot.reports.draft import (
    MAX_BODY_CHARS,
    MAX_PLACE_CHARS,
    MIN_BODY_CHARS,
    Draft,
    ReportForm,
    next_step,
    previous_step,
    step_by_name,
)
from bot.reports.evidence import MAX_FILES, incoming_file
from bot.reports.intake import FileIntake
from bot.reports.service import ReportService
from bot.reports.trail import ChatTrail
from bot.reports.views import body_progress, button_hint, done_hint, evidence_step, files_hint
from bot.settings import Settings
from bot.ui import texts
from bot.ui.callbacks import Action, ActionCB, EditCB, Field, RegionCB, SphereCB, WhenCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number
from bot.ui.keyboards import main_menu
from bot.ui.replies import notice, present, send
from handlers.filters import EVIDENCE, NOT_COMMAND, TYPED_TEXT, private_only
from handlers.uploads import fetch_file, stored

EDIT_TARGETS = {
    Field.REGION: ReportForm.region,
    Field.SPHERE: ReportForm.sphere,
    Field.WHEN: ReportForm.when,
    Field.PLACE: ReportForm.place,
    Field.TEXT: ReportForm.body,
    Field.FILES: ReportForm.evidence,
    Field.CONTACT: ReportForm.contact,
}
KEEPABLE = (ReportForm.region, ReportForm.sphere, ReportForm.when, ReportForm.place)
BUTTON_STEPS = (
    ReportForm.region,
    ReportForm.sphere,
    ReportForm.when,
    ReportForm.contact,
    ReportForm.review,
)


def get_router() -> Router:
    router = private_only(Router(name="report"))

    @router.message(Command("report"))
    @router.callback_query(ActionCB.filter(F.action == Action.NEW))
    async def new_report(
        event: Message | CallbackQuery, state: FSMContext, view: ViewContext
    ) -> None:
        await begin(event, state, view)

    @router.callback_query(ReportForm.region, RegionCB.filter())
    @router.callback_query(ReportForm.sphere, SphereCB.filter())
    async def pick(
        query: CallbackQuery,
        callback_data: RegionCB | SphereCB,
        state: FSMContext,
        view: ViewContext,
    ) -> None:
        is_region = isinstance(callback_data, RegionCB)
        lookup = view.catalog.region if is_region else view.catalog.category
        if lookup(callback_data.code) is None:
            await notice(query, _("This button is no longer active."))
            return
        draft = await _draft(state)
        if is_region:
            draft.region = callback_data.code
            draft.linked_region = False
        else:
            draft.sphere = callback_data.code
        step = ReportForm.region if is_region else ReportForm.sphere
        await _advance(query, state, draft, step, view)

    @router.callback_query(StateFilter(*KEEPABLE), ActionCB.filter(F.action == Action.KEEP))
    async def keep(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        step = step_by_name(await state.get_state())
        draft = await _draft(state)
        if step is None or not draft.value_at(step):
            await notice(query, _("This button is no longer active."))
            return
        await _advance(query, state, draft, step, view)

    @router.callback_query(ReportForm.sphere, ActionCB.filter(F.action == Action.CHANGE_REGION))
    async def change_region(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        await show_step(query, state, await _draft(state), ReportForm.region, view)

    @router.callback_query(ReportForm.when, WhenCB.filter())
    async def when(
        query: CallbackQuery,
        callback_data: WhenCB,
        state: FSMContext,
        view: ViewContext,
        settings: Settings,
    ) -> None:
        draft = await _draft(state)
        draft.occurred = callback_data.value
        if draft.urgent:
            await send(query, texts.urgent_advice(settings.hotline))
        await _advance(query, state, draft, ReportForm.when, view)

    @router.message(ReportForm.place, TYPED_TEXT)
    async def place(message: Message, state: FSMContext, view: ViewContext) -> None:
        text = (message.text or "").strip()
        if len(text) > MAX_PLACE_CHARS:
            await message.answer(
                _(
                    "That is too long for this step: at most {limit} characters, you sent {count}. "
                    "Please shorten it; the details belong in the next step."
                ).format(
                    limit=format_number(MAX_PLACE_CHARS, view.locale),
                    count=format_number(len(text), view.locale),
                )
            )
            return
        draft = await _draft(state)
        draft.place = text or None
        await _advance(message, state, draft, ReportForm.place, view)

    @router.callback_query(ReportForm.place, ActionCB.filter(F.action == Action.SKIP))
    async def skip_place(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        draft = await _draft(state)
        draft.place = None
        await _advance(query, state, draft, ReportForm.place, view)

    @router.message(ReportForm.body, TYPED_TEXT)
    async def body_part(
        message: Message, state: FSMContext, view: ViewContext, event_update: Update
    ) -> None:
        text = (message.text or "").strip()
        draft = await _draft(state)
        if not draft.is_new(event_update.update_id):
            return
        if not draft.fits(text):
            await message.answer(
                _too_long(draft, view.locale) + " " + _shorter(draft),
                reply_markup=keyboards.body(has_text=bool(draft.body)),
            )
            return
        if not text:
            return
        draft.body.append(text)
        await state.set_data(draft.to_data())
        await message.answer(
            body_progress(draft, view.locale)
            + "\n"
            + button_hint(_("Send more, or press «{button}»."), keyboards.done_label()),
            reply_markup=keyboards.body(has_text=True),
        )

    @router.callback_query(ReportForm.body, ActionCB.filter(F.action == Action.DONE))
    async def body_done(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        draft = await _draft(state)
        if len(draft.body_text.strip()) < MIN_BODY_CHARS:
            await notice(
                query,
                _(
                    "The description is too short: please write at least {count} characters so "
                    "that the service can check it."
                ).format(count=format_number(MIN_BODY_CHARS, view.locale)),
            )
            return
        await _advance(query, state, draft, ReportForm.body, view)

    @router.callback_query(ReportForm.body, ActionCB.filter(F.action == Action.RESTART_TEXT))
    async def body_restart(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        draft = await _draft(state)
        draft.body = []
        await show_step(query, state, draft, ReportForm.body, view)

    @router.message(ReportForm.evidence, EVIDENCE)
    async def evidence_file(
        message: Message,
        state: FSMContext,
        view: ViewContext,
        bot: Bot,
        reports: ReportService,
        intake: FileIntake,
        user_key: bytes,
        event_update: Update,
    ) -> None:
        draft = await _draft(state)
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
        attachment_id = await stored(
            message,
            reports.add_draft_file(draft.draft_id, file, data, intake.file_key(destination, file)),
        )
        if attachment_id is None:
            return
        intake.spend(user_key, len(data))
        draft.files.append(attachment_id)
        await state.set_data(draft.to_data())
        await message.answer(
            _("File received.") + " " + files_hint(draft, view.locale),
            reply_markup=keyboards.evidence(has_files=True),
        )

    @router.message(ReportForm.evidence, TYPED_TEXT)
    async def evidence_text(
        message: Message, state: FSMContext, view: ViewContext, event_update: Update
    ) -> None:
        """A fact typed where files are expected is kept aside and offered to the description."""
        draft = await _draft(state)
        text = (message.text or "").strip()
        if not text:
            await _files_expected(message, draft, view)
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
    async def evidence_add_text(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        draft = await _draft(state)
        if not draft.pending:
            await notice(query, _("This button is no longer active."))
            return
        if draft.take_pending():
            said = _("Added to the description.") + " " + body_progress(draft, view.locale)
        else:
            draft.pending = []
            said = _too_long(draft, view.locale) + " " + _("The text was not added.")
        await state.set_data(draft.to_data())
        await present(
            query,
            said + "\n\n" + files_hint(draft, view.locale),
            keyboards.evidence(has_files=bool(draft.files)),
        )

    @router.callback_query(ReportForm.evidence, ActionCB.filter(F.action == Action.DROP_TEXT))
    async def evidence_drop_text(
        query: CallbackQuery, state: FSMContext, view: ViewContext
    ) -> None:
        draft = await _draft(state)
        draft.pending = []
        await state.set_data(draft.to_data())
        await present(
            query,
            _("The text was not added.") + "\n\n" + files_hint(draft, view.locale),
            keyboards.evidence(has_files=bool(draft.files)),
        )

    @router.callback_query(ReportForm.evidence, ActionCB.filter(F.action == Action.FILES_INFO))
    async def evidence_info(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        await present(query, *evidence_step(await _draft(state), view, details=True))

    @router.callback_query(
        ReportForm.evidence, ActionCB.filter(F.action.in_({Action.DONE, Action.SKIP}))
    )
    async def evidence_done(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        await _advance(query, state, await _draft(state), ReportForm.evidence, view)

    @router.callback_query(ReportForm.evidence, ActionCB.filter(F.action == Action.CLEAR_FILES))
    async def evidence_clear(
        query: CallbackQuery, state: FSMContext, view: ViewContext, reports: ReportService
    ) -> None:
        draft = await _draft(state)
        await reports.discard_draft(draft.draft_id)
        draft.files = []
        await show_step(query, state, draft, ReportForm.evidence, view)

    @router.callback_query(
        ReportForm.contact,
        ActionCB.filter(
            F.action.in_({Action.CONTACT_YES, Action.CONTACT_SOUND, Action.CONTACT_NO})
        ),
    )
    async def contact(
        query: CallbackQuery, callback_data: ActionCB, state: FSMContext, view: ViewContext
    ) -> None:
        draft = await _draft(state)
        draft.contact = callback_data.action != Action.CONTACT_NO
        draft.silent = callback_data.action != Action.CONTACT_SOUND
        await _advance(query, state, draft, ReportForm.contact, view)

    @router.callback_query(ReportForm.review, EditCB.filter())
    async def edit(
        query: CallbackQuery, callback_data: EditCB, state: FSMContext, view: ViewContext
    ) -> None:
        draft = await _draft(state)
        draft.editing = True
        await show_step(query, state, draft, EDIT_TARGETS[callback_data.field], view)

    @router.callback_query(ReportForm.review, ActionCB.filter(F.action == Action.SUBMIT))
    async def submit(
        query: CallbackQuery,
        state: FSMContext,
        view: ViewContext,
        reports: ReportService,
        settings: Settings,
        user_key: bytes,
        trail: ChatTrail,
        deadlines: Deadlines,
    ) -> None:
        draft = await _draft(state)
        if not draft.is_complete:
            await show_step(query, state, draft, ReportForm.review, view)
            return
        if draft.receipt is None:
            # Only a first Submit is checked: a draft with a code may be stored already, and
            # pressing again must bring the same code back.
            allowed_on = reports.next_report_day(user_key)
            if allowed_on is not None:
                await query.answer()
                await send(query, _over_limit_text(allowed_on, settings, view.locale))
                return
            draft.receipt = receipt.generate()
            await state.set_data(draft.to_data())
        chat_id = query.message.chat.id if query.message else None
        await reports.submit(draft.submission(chat_id, view.locale), user_key)
        # The code first: should the process die now, the Submit button is still there to press
        # again (the same code comes back), rather than a "sent" with no code to follow it by.
        due = deadlines.acceptance(utc_now())
        shown = await send(query, _receipt_text(draft, due, view), keyboards.clear_chat())
        if shown is not None:
            await trail.keep(state.key, shown.message_id)
        await present(query, _("📨 Your report has been sent."))
        if draft.urgent:
            await send(query, texts.urgent_advice(settings.hotline))
        await state.clear()

    @router.callback_query(ActionCB.filter(F.action == Action.BACK), F.message)
    async def back(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        step = step_by_name(await state.get_state())
        if step is None:
            await notice(query, _("This button is no longer active."))
            return
        draft = await _draft(state)
        target = ReportForm.review if draft.editing else previous_step(step)
        draft.editing = False
        if target is None:
            await present(query, _("What would you like to do?"), main_menu(has_draft=True))
            return
        await show_step(query, state, draft, target, view)

    @router.message(StateFilter(ReportForm.place, ReportForm.body), NOT_COMMAND)
    async def text_expected(message: Message) -> None:
        await message.answer(_("This step expects text. Please write it in a message."))

    @router.message(ReportForm.evidence, NOT_COMMAND)
    async def file_expected(message: Message, state: FSMContext, view: ViewContext) -> None:
        await _files_expected(message, await _draft(state), view)

    @router.message(StateFilter(None), TYPED_TEXT)
    async def idle_text(
        message: Message, state: FSMContext, view: ViewContext, event_update: Update
    ) -> None:
        """A story typed outside the dialog is kept (sealed, like a draft) and offered to one."""
        text = (message.text or "").strip()
        if not text or receipt.parse(text):
            raise SkipHandler  # a receipt code is never kept: the catch-all answers it
        draft = Draft.from_data(await state.get_data())
        if not draft.is_new(event_update.update_id):
            return
        if not draft.fits("\n\n".join((*draft.pending, text))):
            await message.answer(_too_long(draft, view.locale) + " " + _shorter(draft))
            return
        draft.pending.append(text)
        await state.set_data(draft.to_data())
        await message.answer(
            _(
                "Start a report about corruption with this text? (To check a report, send "
                "/status; for help, /help.)"
            ),
            reply_markup=keyboards.start_with_text(),
        )

    @router.callback_query(StateFilter(None), ActionCB.filter(F.action == Action.START_WITH_TEXT))
    async def start_with_text(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        draft = Draft.from_data(await state.get_data())
        if not draft.pending:
            await notice(query, _("This button is no longer active."))
            return
        draft.take_pending()
        await show_step(query, state, draft, ReportForm.region, view)

    @router.callback_query(StateFilter(None), ActionCB.filter(F.action == Action.DROP_TEXT))
    async def drop_idle_text(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await present(
            query,
            _("The text was not kept. What would you like to do?"),
            main_menu(has_draft=False),
        )

    @router.message(StateFilter(*BUTTON_STEPS), NOT_COMMAND)
    async def buttons_expected(message: Message, state: FSMContext, view: ViewContext) -> None:
        step = step_by_name(await state.get_state())
        await message.answer(_("Please choose one of the buttons."))
        if step is not None:
            await show_step(message, state, await _draft(state), step, view)

    return router


async def _draft(state: FSMContext) -> Draft:
    return Draft.from_data(await state.get_data())


async def _files_expected(message: Message, draft: Draft, view: ViewContext) -> None:
    await message.answer(
        _("This step expects a photo, video, document or voice message.")
        + " "
        + files_hint(draft, view.locale),
        reply_markup=keyboards.evidence(has_files=bool(draft.files)),
    )


def _too_long(draft: Draft, locale: str) -> str:
    said = _("With this text the description would be longer than {limit} characters.").format(
        limit=format_number(MAX_BODY_CHARS, locale)
    )
    return said + " " + body_progress(draft, locale) if draft.body else said


def _shorter(draft: Draft) -> str:
    """What to do about a part that does not fit, naming «Done» only where it is shown."""
    if not draft.body:
        return _("Please send a shorter text.")
    return button_hint(
        _("Send a shorter part, or press «{button}» to keep what is saved."),
        keyboards.done_label(),
    )


async def _advance(
    event: Message | CallbackQuery, state: FSMContext, draft: Draft, step: State, view: ViewContext
) -> None:
    target = next_step(step, draft)
    draft.editing = False
    await show_step(event, state, draft, target, view)


def _over_limit_text(day: date, settings: Settings, locale: str) -> str:
    return _(
        "Today's limit of reports from one person ({limit}) has been reached. You can send this "
        "report from tomorrow, {date}. If the matter is urgent, call <b>{hotline}</b>; in an "
        "emergency, <b>102</b>."
    ).format(
        limit=format_number(settings.reports_per_day, locale),
        date=format_date(day, "long", locale=locale),
        hotline=settings.hotline,
    )


def _receipt_text(draft: Draft, due: datetime, view: ViewContext) -> str:
    """The code, and what happens next: by when the service must accept the report, where to
    follow it, and whether the bot will write (only to a reporter who allowed questions)."""
    code = receipt.format_code(draft.receipt or "")
    accept_by = format_date(due.astimezone(view.zone), "long", locale=view.locale)
    if draft.contact:
        writes = _(
            "The bot will write to you here only if the service asks a question or the status "
            "changes. The first line of its messages does not say what they are about."
        )
    else:
        writes = _("The bot will not write to you: check the progress yourself with /status.")
    return "\n\n".join(
        (
            _("✅ <b>Your report has been received.</b>"),
            _("Your receipt code (tap it to copy):\n<code>{code}</code>").format(code=code),
            _(
                "It is shown only once. Save it somewhere safe, away from this chat if someone "
                "else may see your phone: the bot does not keep the code and cannot restore it."
            ),
            _(
                "The report goes to the anti-corruption service of the region you chose. Follow "
                "its progress and add information with /status and the code.\n"
                "⏳ The service must accept it by {date}"
            ).format(date=accept_by),
            writes,
        )
    )
