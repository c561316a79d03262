"""The report dialog's first steps: start, region, sphere, when and where."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.reports.dialog import begin, show_step
from bot.reports.draft import MAX_PLACE_CHARS, Draft, ReportForm, step_by_name
from bot.settings import Settings
from bot.ui import texts
from bot.ui.callbacks import Action, ActionCB, RegionCB, SphereCB, WhenCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number
from bot.ui.replies import notice, send
from handlers.filters import TYPED_TEXT
from handlers.report.shared import advance

KEEPABLE = (ReportForm.region, ReportForm.sphere, ReportForm.when, ReportForm.place)


def get_router() -> Router:
    router = Router(name="report.steps")

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
        draft: Draft,
        view: ViewContext,
    ) -> None:
        is_region = isinstance(callback_data, RegionCB)
        lookup = view.catalog.region if is_region else view.catalog.category
        if lookup(callback_data.code) is None:
            await notice(query, _("This button is no longer active."))
            return
        if is_region:
            draft.region = callback_data.code
            draft.linked_region = False
        else:
            draft.sphere = callback_data.code
        step = ReportForm.region if is_region else ReportForm.sphere
        await advance(query, state, draft, step, view)

    @router.callback_query(StateFilter(*KEEPABLE), ActionCB.filter(F.action == Action.KEEP))
    async def keep(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        step = step_by_name(await state.get_state())
        if step is None or not draft.value_at(step):
            await notice(query, _("This button is no longer active."))
            return
        await advance(query, state, draft, step, view)

    @router.callback_query(ReportForm.sphere, ActionCB.filter(F.action == Action.CHANGE_REGION))
    async def change_region(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        await show_step(query, state, draft, ReportForm.region, view)

    @router.callback_query(ReportForm.when, WhenCB.filter())
    async def when(
        query: CallbackQuery,
        callback_data: WhenCB,
        state: FSMContext,
        draft: Draft,
        view: ViewContext,
        settings: Settings,
    ) -> None:
        draft.occurred = callback_data.value
        if draft.urgent:
            await send(query, texts.urgent_advice(settings.hotline))
        await advance(query, state, draft, ReportForm.when, view)

    @router.message(ReportForm.place, TYPED_TEXT)
    async def place(message: Message, state: FSMContext, draft: Draft, view: ViewContext) -> None:
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
        draft.place = text or None
        await advance(message, state, draft, ReportForm.place, view)

    @router.callback_query(ReportForm.place, ActionCB.filter(F.action == Action.SKIP))
    async def skip_place(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        draft.place = None
        await advance(query, state, draft, ReportForm.place, view)

    return router
