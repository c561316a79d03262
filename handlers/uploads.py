"""Receiving an evidence file from a message, with the user told why when it cannot be taken."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiohttp import ClientError

from bot.cleaning.sandbox import FileRefused, Refusal
from bot.reports.evidence import FileTooLarge, IncomingFile
from bot.reports.intake import Destination, FileIntake, IntakeRefusal, IntakeRefused
from bot.reports.service import StoredFile
from bot.ui.formatting import format_number
from bot.ui.texts import voice_changed

logger = logging.getLogger(__name__)


async def fetch_file(
    message: Message,
    bot: Bot,
    intake: FileIntake,
    destination: Destination,
    file: IncomingFile,
    user_key: bytes,
    locale: str,
) -> bytes | None:
    try:
        return await intake.receive(bot, destination, file, user_key)
    except IntakeRefused as refused:
        await message.answer(intake_refusal_text(refused.refusal, intake, locale))
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


def intake_refusal_text(refusal: IntakeRefusal, intake: FileIntake, locale: str) -> str:
    if refusal is IntakeRefusal.DUPLICATE:
        return _("This file is already attached to this report: there is no need to send it again.")
    if refusal is IntakeRefusal.REPORT_FULL:
        return _(
            "This file does not fit: the files of one report may take at most {limit} MB. You "
            "can send a smaller file, or describe the rest in text."
        ).format(limit=format_number(intake.report_mb, locale))
    if refusal is IntakeRefusal.DAY_FULL:
        return _(
            "Today's limit of files from one person ({limit} MB) has been reached. Texts are "
            "still accepted. You can add this file tomorrow: once the report is sent, with "
            "/status and your receipt code."
        ).format(limit=format_number(intake.day_mb, locale))
    return _(
        "The bot cannot take files right now: its server is short of disk space. Your texts are "
        "still accepted. Please send this file later (once the report is sent, with /status and "
        "your receipt code)."
    )


async def stored(
    message: Message, storing: Awaitable[StoredFile], voice_minutes: int, locale: str
) -> StoredFile | None:
    """The file ``storing`` keeps; None, once the reporter is told why, for a file the cleaning
    sandbox refused (nothing of it is stored)."""
    try:
        return await storing
    except FileRefused as refused:
        await message.answer(refusal_text(refused.reason, voice_minutes, locale))
        return None


def confirmed(file: StoredFile, said: str) -> str:
    """``said`` about a file kept, after what became of the voice in it when it was masked."""
    return voice_changed() + "\n\n" + said if file.masked else said


def refusal_text(reason: Refusal, voice_minutes: int, locale: str) -> str:
    """Why the cleaning sandbox refused a file, and what to send instead; ``voice_minutes`` is
    the longest recording masked (``MAX_VOICE_MINUTES``)."""
    if reason is Refusal.TOO_LARGE:
        return _(
            "This picture is too large for the bot to check safely, so it was not accepted. "
            "Please send a smaller picture, or send it as a photo rather than as a file."
        )
    if reason is Refusal.TOO_LONG:
        return _(
            "This recording is longer than {minutes} minutes, so it was not accepted. Please "
            "split it into shorter voice messages, or type it."
        ).format(minutes=format_number(voice_minutes, locale))
    if reason is Refusal.UNMASKABLE:
        return _(
            "The bot could not read this recording, so it could not change the voice in it, and "
            "it was not accepted: nothing of it is kept. Please record it again, or type it."
        )
    return _(
        "This file could not be checked safely, so it was not accepted. Please send a smaller "
        "file, or send a picture as a photo rather than as a file."
    )
