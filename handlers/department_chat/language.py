"""A department chat's language: /language in a group, and the choice /join asks for."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cases.chat_views import (
    chat_language_keyboard,
    chat_language_question,
    chat_language_set,
)
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.telegram.languages import LanguageService
from bot.ui.callbacks import ChatLangCB
from bot.ui.context import ViewContext
from handlers.gate import act_as_yourself, only_officers, own_account, refuse

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


def get_router() -> Router:
    router = Router(name="department_chat.language")

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

    return router


async def serves(roster: Roster, user_id: int, regions: set[str]) -> bool:
    """An admin, or on the roster of at least one of ``regions``."""
    return roster.is_admin(user_id) or bool(regions & set(await roster.roles(user_id)))
