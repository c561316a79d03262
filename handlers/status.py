"""/status: a report's status and history by receipt code, and adding information to it.

A report being written is not lost by checking another one: its step is kept in ``resume`` and
restored when the check ends. Which report is being checked lives in ``StatusChecks``, in memory
only (bot/reports/checks.py): the FSM row under the user's pseudonym holds the step, never the
report.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _
from babel.dates import format_timedelta

from bot.cases.service import CaseService, shown_question
from bot.core import receipt
from bot.core.deadlines import Deadlines
from bot.core.values import CaseStatus
from bot.reports import keyboards, views
from bot.reports.checks import Check, StatusChecks
from bot.reports.dialog import resume_or_clear
from bot.reports.draft import step_by_name
from bot.reports.evidence import IncomingFile, incoming_file
from bot.reports.intake import FileIntake
from bot.reports.service import MAX_STORED_ITEMS, ReportService
from bot.reports.views import button_hint
from bot.security.guard import ReceiptGuard
from bot.ui.callbacks import Action, ActionCB, AnswerCB
from bot.ui.context import ViewContext
from bot.ui.replies import notice, present, send
from handlers.filters import EVIDENCE, NOT_COMMAND, TYPED_TEXT, private_only
from handlers.uploads import fetch_file, stored

MAX_NOTE_CHARS = 4000


class StatusForm(StatesGroup):
    code = State()
    viewing = State()
    adding = State()
    answering = State()


def get_router() -> Router:
    router = private_only(Router(name="status"))

    @router.message(Command("status"))
    async def status_command(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        user_key: bytes,
        view: ViewContext,
        reports: ReportService,
        guard: ReceiptGuard,
        cases: CaseService,
        checks: StatusChecks,
        deadlines: Deadlines,
    ) -> None:
        await _enter(state, checks, user_key)
        if command.args:
            services = (reports, guard, cases, checks, deadlines)
            await _check(message, command.args, state, user_key, view, *services)
            return
        await message.answer(_ask_code())

    @router.callback_query(ActionCB.filter(F.action == Action.STATUS))
    async def status_button(
        query: CallbackQuery, state: FSMContext, checks: StatusChecks, user_key: bytes
    ) -> None:
        await _enter(state, checks, user_key)
        await present(query, _ask_code())

    @router.message(StateFilter(StatusForm.code, StatusForm.viewing), TYPED_TEXT)
    async def code_typed(
        message: Message,
        state: FSMContext,
        user_key: bytes,
        view: ViewContext,
        reports: ReportService,
        guard: ReceiptGuard,
        cases: CaseService,
        checks: StatusChecks,
        deadlines: Deadlines,
    ) -> None:
        services = (reports, guard, cases, checks, deadlines)
        await _check(message, message.text or "", state, user_key, view, *services)

    @router.message(StatusForm.code, NOT_COMMAND)
    async def code_expected(message: Message) -> None:
        await message.answer(_ask_code())

    @router.callback_query(StatusForm.viewing, ActionCB.filter(F.action == Action.ADD_INFO))
    async def add_info(
        query: CallbackQuery,
        state: FSMContext,
        checks: StatusChecks,
        user_key: bytes,
        view: ViewContext,
        cases: CaseService,
    ) -> None:
        check = checks.get(user_key)
        if check is None:
            await _ended(query, state, view)
            return
        if not await cases.takes_additions(check.report_id):
            await query.answer()
            await _closed(query, state, checks, user_key, view)
            return
        await state.set_state(StatusForm.adding)
        await send(query, _adding_prompt(), keyboards.finish())
        await query.answer()

    @router.message(StatusForm.adding, TYPED_TEXT)
    async def add_text(
        message: Message,
        state: FSMContext,
        reports: ReportService,
        cases: CaseService,
        event_update: Update,
        checks: StatusChecks,
        user_key: bytes,
        view: ViewContext,
    ) -> None:
        text = (message.text or "").strip()
        check = await _running(message, state, checks, user_key, view, event_update)
        if check is None or not text:
            return
        report_id = check.report_id
        if await _refused(message, state, checks, user_key, view, reports, cases, report_id):
            return
        if len(text) > MAX_NOTE_CHARS:
            await message.answer(
                _("Please split it: one message can hold at most {limit} characters.").format(
                    limit=MAX_NOTE_CHARS
                )
            )
            return
        await cases.add_information(report_id, text)
        check.last_addition = event_update.update_id
        await message.answer(_added_text(), reply_markup=keyboards.finish())

    @router.message(StatusForm.adding, EVIDENCE)
    async def add_file(
        message: Message,
        state: FSMContext,
        reports: ReportService,
        intake: FileIntake,
        cases: CaseService,
        bot: Bot,
        user_key: bytes,
        view: ViewContext,
        event_update: Update,
        checks: StatusChecks,
    ) -> None:
        file = incoming_file(message)
        check = await _running(message, state, checks, user_key, view, event_update)
        if check is None or file is None:
            return
        report_id = check.report_id
        if await _refused(message, state, checks, user_key, view, reports, cases, report_id):
            return
        added = await _store_file(message, bot, intake, reports, report_id, file, user_key, view)
        if added is None:
            return
        await cases.relay_file(report_id, added)
        check.last_addition = event_update.update_id
        await message.answer(_added_text(), reply_markup=keyboards.finish())

    @router.message(StatusForm.adding, NOT_COMMAND)
    async def add_expected(message: Message) -> None:
        await message.answer(_adding_prompt(), reply_markup=keyboards.finish())

    @router.callback_query(AnswerCB.filter())
    async def answer_start(
        query: CallbackQuery,
        callback_data: AnswerCB,
        state: FSMContext,
        cases: CaseService,
        checks: StatusChecks,
        user_key: bytes,
    ) -> None:
        chat_id = query.message.chat.id if query.message else 0
        viewed = checks.get(user_key)
        report_id = await cases.answerable(
            callback_data.question, chat_id, viewed.report_id if viewed else None
        )
        if report_id is None:
            await notice(query, _("This question is closed or already answered."))
            return
        await _enter(state, checks, user_key)
        await state.set_state(StatusForm.answering)
        checks.start(user_key, report_id, callback_data.question)
        await query.answer()
        await send(query, _answer_prompt(), keyboards.finish())

    @router.message(StatusForm.answering, TYPED_TEXT)
    async def answer_text(
        message: Message,
        state: FSMContext,
        cases: CaseService,
        reports: ReportService,
        event_update: Update,
        checks: StatusChecks,
        user_key: bytes,
        view: ViewContext,
    ) -> None:
        text = (message.text or "").strip()
        check = await _running(message, state, checks, user_key, view, event_update)
        if check is None or not text:
            return
        if await _full(message, reports, check.report_id):
            return
        await cases.answer_text(check.question_id or "", text)
        check.last_addition = event_update.update_id
        await message.answer(_answered_text(), reply_markup=keyboards.finish())

    @router.message(StatusForm.answering, EVIDENCE)
    async def answer_file(
        message: Message,
        state: FSMContext,
        reports: ReportService,
        intake: FileIntake,
        cases: CaseService,
        bot: Bot,
        user_key: bytes,
        view: ViewContext,
        event_update: Update,
        checks: StatusChecks,
    ) -> None:
        file = incoming_file(message)
        check = await _running(message, state, checks, user_key, view, event_update)
        if check is None or file is None:
            return
        report_id = check.report_id
        if await _full(message, reports, report_id):
            return
        attachment_id = await _store_file(
            message, bot, intake, reports, report_id, file, user_key, view
        )
        if attachment_id is None:
            return
        await cases.answer_file(check.question_id or "", attachment_id)
        check.last_addition = event_update.update_id
        await message.answer(_answered_text(), reply_markup=keyboards.finish())

    @router.message(StatusForm.answering, NOT_COMMAND)
    async def answer_expected(message: Message) -> None:
        await message.answer(_answer_prompt(), reply_markup=keyboards.finish())

    @router.callback_query(StatusForm.answering, ActionCB.filter(F.action == Action.DONE))
    async def answer_done(
        query: CallbackQuery,
        state: FSMContext,
        view: ViewContext,
        checks: StatusChecks,
        user_key: bytes,
    ) -> None:
        checks.end(user_key)
        await present(query, _("Thank you. Your answer has been passed on to the service."))
        await resume_or_clear(query, state, view)

    @router.callback_query(StatusForm.adding, ActionCB.filter(F.action == Action.DONE))
    async def add_done(
        query: CallbackQuery,
        state: FSMContext,
        view: ViewContext,
        checks: StatusChecks,
        user_key: bytes,
    ) -> None:
        checks.end(user_key)
        await present(query, _("Thank you. The information has been added to the report."))
        await resume_or_clear(query, state, view)

    return router


async def _refused(
    message: Message,
    state: FSMContext,
    checks: StatusChecks,
    user_key: bytes,
    view: ViewContext,
    reports: ReportService,
    cases: CaseService,
    report_id: str,
) -> bool:
    """True, once the reporter is told, when the report takes no addition: it was closed since
    the check began, or it is full."""
    if not await cases.takes_additions(report_id):
        await _closed(message, state, checks, user_key, view)
        return True
    return await _full(message, reports, report_id)


async def _closed(
    event: Message | CallbackQuery,
    state: FSMContext,
    checks: StatusChecks,
    user_key: bytes,
    view: ViewContext,
) -> None:
    """The case is closed: nothing added would reach the service, so the check ends."""
    checks.end(user_key)
    await send(
        event,
        _(
            "This report is closed: information can no longer be added to it. If there is "
            "something new, send a new report with /report."
        ),
    )
    await resume_or_clear(event, state, view)


async def _full(message: Message, reports: ReportService, report_id: str) -> bool:
    """True, once the reporter is told, when the report takes nothing more."""
    if await reports.has_room(report_id):
        return False
    await message.answer(
        _(
            "This report cannot take more: it already holds {limit} messages and files. If there "
            "is more to tell, send a new report with /report."
        ).format(limit=MAX_STORED_ITEMS)
    )
    return True


async def _store_file(
    message: Message,
    bot: Bot,
    intake: FileIntake,
    reports: ReportService,
    report_id: str,
    file: IncomingFile,
    user_key: bytes,
    view: ViewContext,
) -> str | None:
    """The id of the file stored in the report; None, once the reporter is told, if refused."""
    destination = await intake.for_report(report_id)
    data = await fetch_file(message, bot, intake, destination, file, user_key, view.locale)
    if data is None:
        return None
    attachment_id = await stored(
        message, reports.add_file(report_id, file, data, intake.file_key(destination, file))
    )
    if attachment_id is not None:
        intake.spend(user_key, len(data))
    return attachment_id


async def _running(
    message: Message,
    state: FSMContext,
    checks: StatusChecks,
    user_key: bytes,
    view: ViewContext,
    update: Update,
) -> Check | None:
    """The user's check, for an addition it has not stored yet (Telegram may deliver one again);
    None otherwise, and the user is told when the check has ended (silence, a restart)."""
    check = checks.get(user_key)
    if check is None:
        await _ended(message, state, view)
        return None
    return None if update.update_id <= check.last_addition else check


async def _ended(event: Message | CallbackQuery, state: FSMContext, view: ViewContext) -> None:
    await send(
        event,
        _(
            "This check has ended, and the bot no longer knows which report it was about. Send "
            "/status with your receipt code again."
        ),
    )
    if isinstance(event, CallbackQuery):
        await event.answer()
    await resume_or_clear(event, state, view)


async def _enter(state: FSMContext, checks: StatusChecks, user_key: bytes) -> None:
    """Keep a report in progress aside while another one is checked; end the previous check."""
    checks.end(user_key)
    current = await state.get_state()
    data = await state.get_data()
    if step_by_name(current) is not None:
        data["resume"] = current
    await state.set_state(StatusForm.code)
    await state.set_data(data)


async def _check(
    message: Message,
    text: str,
    state: FSMContext,
    user_key: bytes,
    view: ViewContext,
    reports: ReportService,
    guard: ReceiptGuard,
    cases: CaseService,
    checks: StatusChecks,
    deadlines: Deadlines,
) -> None:
    wait = await guard.wait_seconds(user_key)
    if wait:
        await message.answer(
            _("Too many wrong codes. Please try again in {wait}.").format(
                wait=format_timedelta(timedelta(seconds=wait), locale=view.locale)
            )
        )
        return
    code = receipt.parse(text)
    if code is None:
        await message.answer(
            _(
                "This does not look like a receipt code. A code has 16 letters and digits, for "
                "example K7QM-2XPD-9HFA-LT3C."
            )
        )
        return
    found = await reports.lookup(code)
    if found is None:
        await guard.failed(user_key)
        await message.answer(_("No report has this code. Please check it and try again."))
        return
    await guard.succeeded(user_key)
    await state.set_state(StatusForm.viewing)
    checks.start(user_key, found.report_id)
    markup = keyboards.add_information() if found.status != CaseStatus.CLOSED else None
    await message.answer(views.status(found, view, deadlines), reply_markup=markup)
    for question_id, question in await cases.open_questions(found.report_id):
        await message.answer(
            _("❓ <b>The service asks:</b>") + "\n\n" + shown_question(question),
            reply_markup=keyboards.answer_keyboard(question_id),
        )


def _answer_prompt() -> str:
    return button_hint(
        _(
            "Write your answer: text, photos, documents or voice messages. The service will not "
            "see who you are. When you have finished, press «{button}»."
        ),
        keyboards.done_label(),
    )


def _answered_text() -> str:
    return button_hint(
        _("Passed on to the service. Send more, or press «{button}»."), keyboards.done_label()
    )


def _ask_code() -> str:
    return _("Send the receipt code of your report, for example K7QM-2XPD-9HFA-LT3C.")


def _adding_prompt() -> str:
    return button_hint(
        _(
            "Send the additional information: text, photos, videos, documents or voice "
            "messages. When you have finished, press «{button}»."
        ),
        keyboards.done_label(),
    )


def _added_text() -> str:
    return button_hint(
        _("Added to the report. Send more, or press «{button}»."), keyboards.done_label()
    )
