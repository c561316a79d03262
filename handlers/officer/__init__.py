"""Department chats: linking with /join, joining the roster, unlinking, and the case buttons.

Works in officers' groups and in officers' private chats. Every button is checked when it is
pressed against the chat's regions and against the roster of the case's region: the case's
random id in the button proves nothing, and being in the chat proves nothing either.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType

from handlers.officer import buttons, linking, questions
from handlers.officer.buttons import GROUPS


def get_router() -> Router:
    router = Router(name="officer")
    router.message.filter(F.chat.type.in_({ChatType.PRIVATE, *GROUPS}), F.from_user)
    router.include_routers(linking.get_router(), questions.get_router(), buttons.get_router())
    return router
