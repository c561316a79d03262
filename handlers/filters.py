"""Router-level filters shared by the feature routers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType


def private_only(router: Router) -> Router:
    """Messages and buttons in groups and channels never reach this router's handlers."""
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    return router


NOT_COMMAND = ~F.text.startswith("/")
"""Catch-all handlers of a step leave commands to the routers that know them."""
TYPED_TEXT = F.text & NOT_COMMAND
EVIDENCE = F.photo | F.document | F.video | F.voice | F.audio
