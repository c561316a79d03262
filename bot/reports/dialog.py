"""Moving through the report dialog: saving the draft and showing the step it is at."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.reports.draft import Draft, ReportForm, step_by_name
from bot.reports.status import StatusVisit
from bot.reports.views import render_step
from bot.ui.context import ViewContext
from bot.ui.replies import present, send

Event = Message | CallbackQuery


async def show_step(
    event: Event, state: FSMContext, draft: Draft, step: State, view: ViewContext
) -> None:
    await state.set_state(step)
    await state.set_data(draft.to_data())
    text, markup = render_step(step, draft, view)
    await present(event, text, markup)


async def draft_step(state: FSMContext) -> State | None:
    """The report step the user is at, or None when no report is being written."""
    visit = StatusVisit.from_data(await state.get_data())
    return step_by_name(await state.get_state()) or step_by_name(visit.resume)


async def begin(
    event: Event, state: FSMContext, view: ViewContext, region: str | None = None
) -> None:
    """Start a report, or bring back the one in progress so nothing typed is lost."""
    step = await draft_step(state)
    if step is not None:
        draft = Draft.from_data(await state.get_data())
        if region and draft.region is None:
            draft.region, draft.linked_region = region, True
        await show_step(event, state, draft, step, view)
        return
    # A story typed before (kept aside, sealed) is not thrown away: it starts the description.
    kept = Draft.from_data(await state.get_data()).pending
    draft = Draft(region=region, linked_region=region is not None, pending=kept)
    draft.take_pending()
    await show_step(event, state, draft, ReportForm.sphere if region else ReportForm.region, view)


async def resume_or_clear(event: Event, state: FSMContext, view: ViewContext) -> bool:
    """End a side flow (a status check): back to the report underneath it, if there is one."""
    visit = StatusVisit.from_data(await state.get_data())
    step = step_by_name(visit.resume)
    if step is None:
        await state.clear()
        return False
    await send(event, _("Let us continue your unfinished report."))
    target = event.message if isinstance(event, CallbackQuery) else event
    if isinstance(target, Message):
        await show_step(target, state, Draft.from_data(visit.draft), step, view)
    return True
