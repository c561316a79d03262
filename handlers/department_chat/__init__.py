"""A department chat's own commands: its language (/language, and the choice after /join) and
/open, its open cases with a button that brings a case's card back.

In a group linked to a department, ``bot.telegram.i18n.LocaleMiddleware`` answers everyone in the
chat's language, so nothing here chooses a language for its replies. Who may act is checked at each
command and press, as for the case buttons: an admin, or a person on the roster of a region the
chat serves; the person who linked the chat may also answer the language question /join asks.
"""

from __future__ import annotations

from aiogram import F, Router

from handlers.department_chat import language, open_cases
from handlers.stats import CHATS


def get_router() -> Router:
    router = Router(name="department_chat")
    router.message.filter(F.chat.type.in_(CHATS), F.from_user)
    router.include_routers(language.get_router(), open_cases.get_router())
    return router
