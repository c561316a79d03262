"""What the parts of /status share: entering a check, checking a code, refusing an addition."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _
from babel.dates import format_timedelta

from bot.cases.service import CaseService, shown_question
from bot.core.values import CaseStatus
from bot.reports import keyboards, views
from bot.reports.checks import Check, StatusChecks
from bot.reports.dialog import resume_or_clear
from bot.reports.draft import step_by_name
from bot.reports.evidence import IncomingFile
from bot.reports.intake import FileIntake
from bot.reports.lookup import Refusal, StatusLookup, Wait
from bot.reports.service import MAX_STORED_ITEMS, ReportService, StoredFile
from bot.reports.status import StatusForm, StatusVisit
from bot.reports.views import button_hint
from bot.ui.context import ViewContext
from bot.ui.replies import send
from bot.ui.texts import round_video_refused, voice_masking
from handlers.uploads import fetch_file, stored


async def refused(
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
        await closed(message, state, checks, user_key, view)
        return True
    return await full(message, reports, report_id)


async def closed(
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


async def full(message: Message, reports: ReportService, report_id: str) -> bool:
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


async def store_file(
    message: Message,
    bot: Bot,
    intake: FileIntake,
    reports: ReportService,
    report_id: str,
    file: IncomingFile,
    user_key: bytes,
    view: ViewContext,
    *,
    voice_minutes: int,
) -> StoredFile | None:
    """The file stored in the report; None, once the reporter is told, if refused."""
    destination = await intake.for_report(report_id)
    data = await fetch_file(message, bot, intake, destination, file, user_key, view.locale)
    if data is None:
        return None
    saved = await stored(
        message,
        reports.add_file(report_id, file, data, intake.file_key(destination, file)),
        voice_minutes,
        view.locale,
    )
    if saved is not None:
        await intake.spend(user_key, len(data))
    return saved


async def refuse_round_video(message: Message) -> None:
    await message.answer(round_video_refused(), reply_markup=keyboards.finish())


async def running(
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
        await ended(message, state, view)
        return None
    return None if update.update_id <= check.last_addition else check


async def ended(event: Message | CallbackQuery, state: FSMContext, view: ViewContext) -> None:
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


async def enter(state: FSMContext, checks: StatusChecks, user_key: bytes) -> None:
    """Keep a report in progress aside while another one is checked; end the previous check."""
    checks.end(user_key)
    current = await state.get_state()
    visit = StatusVisit.from_data(await state.get_data())
    if step_by_name(current) is not None:
        visit.resume = current
    await state.set_state(StatusForm.code)
    await state.set_data(visit.to_data())


async def check_code(
    message: Message,
    text: str,
    state: FSMContext,
    user_key: bytes,
    view: ViewContext,
    status_lookup: StatusLookup,
) -> None:
    found = await status_lookup.open(user_key, text)
    if isinstance(found, Wait):
        await message.answer(
            _("Too many wrong codes. Please try again in {wait}.").format(
                wait=format_timedelta(timedelta(seconds=found.seconds), locale=view.locale)
            )
        )
        return
    if found is Refusal.UNREADABLE:
        await message.answer(
            _(
                "This does not look like a receipt code. A code has 16 letters and digits, for "
                "example K7QM-2XPD-9HFA-LT3C."
            )
        )
        return
    if found is Refusal.UNKNOWN:
        await message.answer(_("No report has this code. Please check it and try again."))
        return
    await state.set_state(StatusForm.viewing)
    report = found.report
    markup = keyboards.add_information() if report.status != CaseStatus.CLOSED else None
    await message.answer(views.status(report, view, status_lookup.deadlines), reply_markup=markup)
    for question_id, question in found.questions:
        await message.answer(
            _("❓ <b>The service asks:</b>") + "\n\n" + shown_question(question),
            reply_markup=keyboards.answer_keyboard(question_id),
        )


def answer_prompt() -> str:
    return (
        button_hint(
            _(
                "Write your answer: text, photos, documents or voice messages. The service will "
                "not see who you are. When you have finished, press «{button}»."
            ),
            keyboards.done_label(),
        )
        + "\n\n"
        + voice_masking()
    )


def answered_text() -> str:
    return button_hint(
        _("Passed on to the service. Send more, or press «{button}»."), keyboards.done_label()
    )


def ask_code() -> str:
    return _("Send the receipt code of your report, for example K7QM-2XPD-9HFA-LT3C.")


def adding_prompt() -> str:
    return (
        button_hint(
            _(
                "Send the additional information: text, photos, videos, documents or voice "
                "messages. When you have finished, press «{button}»."
            ),
            keyboards.done_label(),
        )
        + "\n\n"
        + voice_masking()
    )


def added_text() -> str:
    return button_hint(
        _("Added to the report. Send more, or press «{button}»."), keyboards.done_label()
    )
