"""Receiving an evidence file from a message, with the user told why when it cannot be taken."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiohttp import ClientError

from bot.evidence import FileTooLarge, IncomingFile, download

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
