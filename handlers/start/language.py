"""/language in a private chat: the bot's language for this person, their news and their chat."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcasts.subscribers import SubscriberService
from bot.departments.service import DepartmentService
from bot.telegram.languages import LanguageService
from bot.ui import keyboards
from bot.ui.callbacks import LangCB
from bot.ui.replies import notice, present
from handlers.start.welcome import show_menu


def get_router() -> Router:
    router = Router(name="start.language")

    @router.message(Command("language"))
    async def language(message: Message) -> None:
        await message.answer(
            _("Choose the language of the bot:"), reply_markup=keyboards.language_choice()
        )

    @router.callback_query(LangCB.filter())
    async def choose_language(
        query: CallbackQuery,
        callback_data: LangCB,
        state: FSMContext,
        user_key: bytes,
        languages: LanguageService,
        subscribers: SubscriberService,
        departments: DepartmentService,
        i18n: I18n,
    ) -> None:
        if not await languages.choose(user_key, callback_data.code):
            await notice(query, _("This button is no longer active."))
            return
        await subscribers.set_locale(query.from_user.id, callback_data.code)
        # An officer's private chat linked as a department chat reads what they read.
        await departments.set_chat_locale(query.from_user.id, callback_data.code)
        with i18n.use_locale(callback_data.code):
            await present(query, _("Language changed: the bot now speaks to you in this language."))
            await show_menu(query, state)

    return router
