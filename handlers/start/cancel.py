"""/cancel and Cancel: a status check returns to the report under it; a draft with content is
deleted only when the person confirms."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.reports.checks import StatusChecks
from bot.reports.dialog import resume_or_clear, show_step
from bot.reports.draft import Draft, step_by_name
from bot.reports.keyboards import confirm_cancel
from bot.reports.service import ReportService
from bot.ui.callbacks import Action, ActionCB
from bot.ui.context import ViewContext
from bot.ui.replies import notice, present


def get_router() -> Router:
    router = Router(name="start.cancel")

    @router.message(Command("cancel"))
    @router.callback_query(ActionCB.filter(F.action == Action.CANCEL))
    async def cancel(
        event: Message | CallbackQuery,
        state: FSMContext,
        reports: ReportService,
        view: ViewContext,
        checks: StatusChecks,
        user_key: bytes,
    ) -> None:
        """Cancel what is in front of the user: a status check returns to the report under it."""
        checks.end(user_key)
        current = await state.get_state()
        if current is None:
            await state.clear()  # a text kept aside for a report that was never started
            await notice(event, _("There is nothing to cancel."))
            return
        if step_by_name(current) is None:
            await present(event, _("Done. You have left the report check."))
            await resume_or_clear(event, state, view)
            return
        if Draft.from_data(await state.get_data()).has_content:
            await present(
                event,
                _("Delete this draft? What you have entered will be lost."),
                confirm_cancel(),
            )
            return
        await _discard(event, state, reports)

    @router.callback_query(ActionCB.filter(F.action == Action.CANCEL_YES))
    async def cancel_confirmed(
        query: CallbackQuery, state: FSMContext, reports: ReportService
    ) -> None:
        if step_by_name(await state.get_state()) is None:
            await notice(query, _("This button is no longer active."))
            return
        await _discard(query, state, reports)

    @router.callback_query(ActionCB.filter(F.action == Action.CANCEL_NO))
    async def cancel_withdrawn(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        step = step_by_name(await state.get_state())
        if step is None:
            await notice(query, _("This button is no longer active."))
            return
        await show_step(query, state, Draft.from_data(await state.get_data()), step, view)

    return router


async def _discard(
    event: Message | CallbackQuery, state: FSMContext, reports: ReportService
) -> None:
    await reports.discard_draft(Draft.from_data(await state.get_data()).draft_id)
    await state.clear()
    await present(event, _("Cancelled. Nothing was saved. To start again, send /report."))
