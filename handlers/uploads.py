"""Receiving an evidence file from a message, with the user told why when it cannot be taken."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiohttp import ClientError

from bot.evidence import FileTooLarge, IncomingFile, download
from bot.sandbox import FileRefused, Refusal

logger = logging.getLogger(__name__)


async def fetch_file(message: Message, bot: Bot, file: IncomingFile) -> bytes | None:
    try:
        return await download(bot, file)
    except FileTooLarge:
        await message.answer(
            _(
                "This file is larger than 20 MB, the most a bot can receive. Please send a "
                "smaller file, or split it into parts."
            )
        )
    except (TelegramAPIError, ClientError, TimeoutError) as exc:
        logger.warning("Could not download an evidence file: %s", type(exc).__name__)
        await message.answer(
            _("The file could not be received from Telegram. Please send it again.")
        )
    return None


async def stored(message: Message, storing: Awaitable[str]) -> str | None:
    """The id of the file ``storing`` keeps; None, once the reporter is told why, for a file the
    cleaning sandbox refused (nothing of it is stored)."""
    try:
        return await storing
    except FileRefused as refused:
        await message.answer(refusal_text(refused.reason))
        return None


def refusal_text(reason: Refusal) -> str:
    if reason is Refusal.TOO_LARGE:
        return _(
            "This picture is too large for the bot to check safely, so it was not accepted. "
            "Please send a smaller picture, or send it as a photo rather than as a file."
        )
    return _(
        "This file could not be checked safely, so it was not accepted. Please send a smaller "
        "file, or send a picture as a photo rather than as a file."
    )
