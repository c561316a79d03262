"""Router-level filters shared by the feature routers."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType


def private(name: str, *routers: Router) -> Router:
    """A parent of ``routers``, in their order: messages and buttons in groups and channels never
    reach them."""
    parent = Router(name=name)
    parent.message.filter(F.chat.type == ChatType.PRIVATE)
    parent.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    parent.include_routers(*routers)
    return parent


NOT_COMMAND = ~F.text.startswith("/")
"""Catch-all handlers of a step leave commands to the routers that know them."""
TYPED_TEXT = F.text & NOT_COMMAND
EVIDENCE = F.photo | F.document | F.video | F.voice | F.audio
ROUND_VIDEO = F.video_note
"""A round video message: it usually shows the sender's face, so no step takes it."""
