"""Middlewares that give handlers what they need without any raw Telegram identity leaking."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.core.catalog import Catalog
from bot.security.crypto import Pseudonyms
from bot.ui.context import ViewContext
from storage.fsm import rows_of_one_update

logger = logging.getLogger(__name__)


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


class OneUpdateRowsMiddleware(BaseMiddleware):
    """Around aiogram's FSM middleware: each FSM row is read once per update (see
    ``storage.fsm.rows_of_one_update``)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        with rows_of_one_update():
            return await handler(event, data)


class InFlightUpdates(BaseMiddleware):
    """Outermost: counts the updates being handled, so that a shutdown lets them finish.

    aiogram handles each update in a task of its own and does not wait for those tasks when
    polling stops; without this, a report being submitted at that moment would meet a closed
    database.
    """

    def __init__(self) -> None:
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self._count += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._count -= 1
            if not self._count:
                self._idle.set()

    async def finish(self, within: float) -> None:
        """Wait until no update is being handled, or ``within`` seconds have passed."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            logger.warning("Shutting down with %d updates still being handled", self._count)
