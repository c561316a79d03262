"""The Bot API client: aiogram's aiohttp session, keeping the response models it builds, and the
bot with Adal's defaults around it."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import LinkPreviewOptions

from bot.settings import Settings


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


def bot_client(settings: Settings) -> Bot:
    """The bot on this session, at TELEGRAM_API_URL if set: HTML, no link previews."""
    session = (
        Session(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else Session()
    )
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )
