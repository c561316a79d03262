"""The citizen's report dialog: one step at a time, Back everywhere, nothing typed is lost."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot import keyboards, receipt, texts
from bot.callbacks import Action, ActionCB, EditCB, Field, RegionCB, SphereCB, WhenCB
from bot.deadlines import Deadlines
from bot.dialog import begin, show_step
from bot.draft import (
    MAX_BODY_CHARS,
    MAX_PLACE_CHARS,
    MIN_BODY_CHARS,
    Draft,
    ReportForm,
    next_step,
    previous_step,
    step_by_name,
)
from bot.evidence import MAX_FILES, incoming_file
from bot.formatting import format_number
from bot.intake import FileIntake
from bot.replies import notice, present, send
from bot.reports import ReportService, utc_now
from bot.settings import Settings
from bot.trail import ChatTrail
from bot.views import ViewContext, body_progress, files_progress
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
        else:
            draft.sphere = callback_data.code
        step = ReportForm.region if is_region else ReportForm.sphere
        await _advance(query, state, draft, step, view)

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
        separator = 2 if draft.body else 0
        if draft.body_length + separator + len(text) > MAX_BODY_CHARS:
            await message.answer(
                _(
                    "With this message the text would be longer than {limit} characters. Send a "
                    "shorter part, or press «Done» to keep what is saved."
                ).format(limit=format_number(MAX_BODY_CHARS, view.locale))
                + "\n"
                + body_progress(draft, view.locale)
            )
            return
        if not text:
            return
        draft.body.append(text)
        await state.set_data(draft.to_data())
        await message.answer(
            _("Saved.")
            + " "
            + body_progress(draft, view.locale)
            + "\n"
            + _("Send more, or press «Done»."),
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
                    "You have already attached {max_files} files, the most a report can hold. "
                    "Press «Done» to continue."
                ).format(max_files=format_number(MAX_FILES, view.locale))
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
            _("File received.") + " " + files_progress(draft, view.locale),
            reply_markup=keyboards.evidence(has_files=True),
        )

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
            await present(
                query, _("What would you like to do?"), keyboards.main_menu(has_draft=True)
            )
            return
        await show_step(query, state, draft, target, view)

    @router.message(StateFilter(ReportForm.place, ReportForm.body), NOT_COMMAND)
    async def text_expected(message: Message) -> None:
        await message.answer(_("This step expects text. Please write it in a message."))

    @router.message(ReportForm.evidence, NOT_COMMAND)
    async def file_expected(message: Message, state: FSMContext) -> None:
        draft = await _draft(state)
        await message.answer(
            _(
                "This step expects a photo, video, document or voice message. When you have "
                "finished, press «Done»."
            ),
            reply_markup=keyboards.evidence(has_files=bool(draft.files)),
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
