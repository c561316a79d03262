"""A department chat's own commands: its language (/language, and the choice after /join) and
/open, its open cases with a button that brings a case's card back.

In a group linked to a department, ``bot.telegram.i18n.LocaleMiddleware`` answers everyone in the
chat's
language, so nothing here chooses a language for its replies. Who may act is checked at each
command and press, as for the case buttons: an admin, or a person on the roster of a region the
chat serves; the person who linked the chat may also answer the language question /join asks.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Chat, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cases.chat_views import (
    chat_language_keyboard,
    chat_language_question,
    chat_language_set,
    open_cases_page,
)
from bot.cases.open_cases import OpenCases
from bot.cases.service import CaseService
from bot.core.clock import utc_now
from bot.core.values import CaseStatus
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.telegram.languages import LanguageService
from bot.ui.callbacks import ChatLangCB, OpenAction, OpenCB
from bot.ui.context import ViewContext
from handlers.gate import act_as_yourself, only_officers, own_account, refuse
from handlers.stats import CHATS, Allowed, StatsScope, permitted

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


def get_router() -> Router:
    router = Router(name="department_chat")
    router.message.filter(F.chat.type.in_(CHATS), F.from_user)

    @router.message(Command("language"), F.chat.type.in_(GROUPS))
    async def chat_language(
        message: Message, departments: DepartmentService, roster: Roster
    ) -> None:
        if not own_account(message):
            await refuse(message, act_as_yourself())
            return
        regions = await departments.regions_of(message.chat.id)
        if not regions:
            await message.answer(_("This chat is not linked to a department."))
            return
        if not await serves(roster, message.from_user.id, regions):  # type: ignore[union-attr]
            await refuse(message, only_officers())
            return
        await message.answer(chat_language_question(), reply_markup=chat_language_keyboard())

    @router.callback_query(ChatLangCB.filter())
    async def choose_chat_language(
        query: CallbackQuery,
        callback_data: ChatLangCB,
        departments: DepartmentService,
        roster: Roster,
        languages: LanguageService,
        user_key: bytes,
        view: ViewContext,
        i18n: I18n,
    ) -> None:
        message = query.message
        if not own_account(query):
            await refuse(query, act_as_yourself())
            return
        chat = message.chat if message else None
        regions = await departments.regions_of(chat.id) if chat else set()
        if chat is None or not regions:
            await query.answer(_("This button is no longer active."), show_alert=True)
            return
        user = query.from_user.id
        linker = callback_data.by and callback_data.by == departments.linker_tag(chat.id, user)
        if not linker and not await serves(roster, user, regions):
            await refuse(query, only_officers())
            return
        code = callback_data.code
        if not await departments.set_chat_locale(chat.id, code):
            await query.answer(_("This button is no longer active."), show_alert=True)
            return
        if chat.type == ChatType.PRIVATE:  # the officer's own chat: their choice too
            await languages.choose(user_key, code)
        chosen = ViewContext(view.catalog, code, view.zone)
        with i18n.use_locale(code):
            text = chat_language_set(code, sorted(map(chosen.region_name, regions)))
        await query.answer()
        if isinstance(message, Message):
            await message.edit_text(text)

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


async def serves(roster: Roster, user_id: int, regions: set[str]) -> bool:
    """An admin, or on the roster of at least one of ``regions``."""
    return roster.is_admin(user_id) or bool(regions & set(await roster.roles(user_id)))


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
