"""Text that JSON can carry but UTF-8 cannot: lone UTF-16 surrogates, replaced before handlers.

Telegram's JSON may escape a lone surrogate (``"\\ud800"``); such a string cannot be stored in
SQLite or sent back, so it becomes U+FFFD, one UTF-16 unit as well, which keeps every entity
offset in place.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str | None) -> str | None:
    return None if text is None else _SURROGATE.sub("\ufffd", text)


def _dirty(*texts: str | None) -> bool:
    return any(text is not None and _SURROGATE.search(text) for text in texts)


class CleanTextMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and _dirty(event.text, event.caption):
            event = event.model_copy(
                update={"text": _clean(event.text), "caption": _clean(event.caption)}
            )
        elif isinstance(event, CallbackQuery) and _dirty(event.data):
            event = event.model_copy(update={"data": _clean(event.data)})
        return await handler(event, data)
