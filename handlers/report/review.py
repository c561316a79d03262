"""The last steps: contact, the review with its edits, Submit, and Back from any step."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.core import receipt
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines
from bot.reports import keyboards
from bot.reports.dialog import show_step
from bot.reports.draft import Draft, ReportForm, previous_step, step_by_name
from bot.reports.service import ReportService
from bot.reports.trail import ChatTrail
from bot.settings import Settings
from bot.ui import texts
from bot.ui.callbacks import Action, ActionCB, DraftField, EditCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number
from bot.ui.keyboards import main_menu
from bot.ui.replies import notice, present, send
from handlers.report.shared import advance

EDIT_TARGETS = {
    DraftField.REGION: ReportForm.region,
    DraftField.SPHERE: ReportForm.sphere,
    DraftField.WHEN: ReportForm.when,
    DraftField.PLACE: ReportForm.place,
    DraftField.TEXT: ReportForm.body,
    DraftField.FILES: ReportForm.evidence,
    DraftField.CONTACT: ReportForm.contact,
}


def get_router() -> Router:
    router = Router(name="report.review")

    @router.callback_query(
        ReportForm.contact,
        ActionCB.filter(
            F.action.in_({Action.CONTACT_YES, Action.CONTACT_SOUND, Action.CONTACT_NO})
        ),
    )
    async def contact(
        query: CallbackQuery,
        callback_data: ActionCB,
        state: FSMContext,
        draft: Draft,
        view: ViewContext,
    ) -> None:
        draft.contact = callback_data.action != Action.CONTACT_NO
        draft.silent = callback_data.action != Action.CONTACT_SOUND
        await advance(query, state, draft, ReportForm.contact, view)

    @router.callback_query(ReportForm.review, EditCB.filter())
    async def edit(
        query: CallbackQuery,
        callback_data: EditCB,
        state: FSMContext,
        draft: Draft,
        view: ViewContext,
    ) -> None:
        draft.editing = True
        await show_step(query, state, draft, EDIT_TARGETS[callback_data.field], view)

    @router.callback_query(ReportForm.review, ActionCB.filter(F.action == Action.SUBMIT))
    async def submit(
        query: CallbackQuery,
        state: FSMContext,
        draft: Draft,
        view: ViewContext,
        reports: ReportService,
        settings: Settings,
        user_key: bytes,
        trail: ChatTrail,
        deadlines: Deadlines,
    ) -> None:
        if not draft.is_complete:
            await show_step(query, state, draft, ReportForm.review, view)
            return
        if draft.receipt is None:
            # Only a first Submit is checked: a draft with a code may be stored already, and
            # pressing again must bring the same code back.
            allowed_on = await reports.next_report_day(user_key)
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
    async def back(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        step = step_by_name(await state.get_state())
        if step is None:
            await notice(query, _("This button is no longer active."))
            return
        target = ReportForm.review if draft.editing else previous_step(step)
        draft.editing = False
        if target is None:
            await present(query, _("What would you like to do?"), main_menu(has_draft=True))
            return
        await show_step(query, state, draft, target, view)

    return router


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
