"""/open: a chat's open cases by deadline, and a button that brings a case's card back."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Chat, Message
from aiogram.utils.i18n import gettext as _

from bot.cases.chat_views import open_cases_page
from bot.cases.open_cases import OpenCases
from bot.cases.service import CaseService
from bot.core.clock import utc_now
from bot.core.values import CaseStatus
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.ui.callbacks import OpenAction, OpenCB
from bot.ui.context import ViewContext
from handlers.gate import act_as_yourself, only_officers, own_account, refuse
from handlers.stats import Allowed, StatsScope, permitted


def get_router() -> Router:
    router = Router(name="department_chat.open")

    @router.message(Command("open"), StatsScope())
    async def open_list(
        message: Message,
        scope: frozenset[str] | None,
        roster: Roster,
        open_cases: OpenCases,
        view: ViewContext,
    ) -> None:
        allowed = await permitted(message, scope, roster)
        if allowed is None:
            return
        cases = await open_cases.listed(allowed.regions)
        text, markup = open_cases_page(cases, 0, view, open_cases.deadlines, utc_now())
        await message.answer(text, reply_markup=markup)

    @router.callback_query(OpenCB.filter())
    async def open_press(
        query: CallbackQuery,
        callback_data: OpenCB,
        departments: DepartmentService,
        roster: Roster,
        open_cases: OpenCases,
        cases: CaseService,
        view: ViewContext,
    ) -> None:
        message = query.message
        if not own_account(query):
            await refuse(query, act_as_yourself())
            return
        allowed = (
            await pressing(message.chat, query.from_user.id, departments, roster)
            if message
            else None
        )
        if allowed is None:
            await refuse(query, only_officers())
            return
        if callback_data.action == OpenAction.PAGE and callback_data.arg.isdigit():
            listed = await open_cases.listed(allowed.regions)
            text, markup = open_cases_page(
                listed, int(callback_data.arg), view, open_cases.deadlines, utc_now()
            )
            await query.answer()
            await message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr]
            return
        case = await open_cases.case(callback_data.arg)
        if (
            callback_data.action != OpenAction.CARD
            or case is None
            or case.status == CaseStatus.CLOSED
            or (allowed.regions is not None and case.region not in allowed.regions)
        ):
            await query.answer(
                _("This case is closed or handled in another chat."), show_alert=True
            )
            return
        chat_id = message.chat.id  # type: ignore[union-attr]
        with_buttons = await cases.for_chat(case.id, chat_id) is not None
        await cases.opened(case, query.from_user.id)  # the audit log records the read
        await open_cases.bring_back(case, chat_id, with_buttons=with_buttons)
        await query.answer(
            _("The card of case № {number} is on its way.").format(number=case.case_no)
        )

    return router


async def pressing(
    chat: Chat, user_id: int, departments: DepartmentService, roster: Roster
) -> Allowed | None:
    """What a press under /open may reach: the regions /open listed for this person here."""
    linked = frozenset(await departments.regions_of(chat.id))
    private = chat.type == ChatType.PRIVATE
    if roster.is_admin(user_id):
        return Allowed(linked) if linked else Allowed(None) if private else None
    mine = frozenset(await roster.roles(user_id))
    regions = linked & mine if linked or not private else mine
    return Allowed(regions) if regions else None
