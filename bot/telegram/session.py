"""The Bot API session: aiogram's aiohttp session, keeping the response models it builds."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class Session(AiohttpSession):
    """aiogram reads every answer with ``Response[T]``, a pydantic generic class built on first use.

    pydantic caches those classes only weakly: the garbage collector frees them and the next
    request builds them again, several milliseconds each, a fifth of the bot's CPU time in a busy
    dialog (bench/RESULTS.md). One reference per answer type keeps them built.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._responses: dict[Any, type[Response[Any]]] = {}

    def check_response(
        self, bot: Bot, method: TelegramMethod[TelegramType], status_code: int, content: str
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._responses:
            self._responses[returning] = Response[returning]  # type: ignore[valid-type]
        return super().check_response(bot, method, status_code, content)
