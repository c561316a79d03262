"""Middlewares that give handlers what they need without any raw Telegram identity leaking."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import tzinfo
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.catalog import Catalog
from bot.crypto import Pseudonyms
from bot.views import ViewContext


class PseudonymMiddleware(BaseMiddleware):
    """Puts ``user_key``, the user's keyed pseudonym, into the handler data."""

    def __init__(self, pseudonyms: Pseudonyms) -> None:
        self._pseudonyms = pseudonyms

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        data["user_key"] = self._pseudonyms.digest("user", user.id) if user else None
        return await handler(event, data)


class ViewMiddleware(BaseMiddleware):
    """Puts ``view``, what renderers need to speak the user's language, into the handler data."""

    def __init__(self, catalog: Catalog, zone: tzinfo) -> None:
        self._catalog = catalog
        self._zone = zone

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["view"] = ViewContext(self._catalog, data["locale"], self._zone)
        return await handler(event, data)
