"""What start-up needs before the bot runs: a data folder it can write, and Telegram.

Anything wrong that the operator must fix ends the start with one line naming the setting
(``ConfigError``); anything that may fix itself (no network yet, DNS, Telegram down) is waited
out with one log line per try.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiohttp import ClientError

from bot.settings import ConfigError, Settings

logger = logging.getLogger(__name__)

FIRST_RETRY = 1.0
MAX_RETRY = 60.0
GET_ME_TIMEOUT = 15


def usable_dir(name: str, path: Path) -> None:
    """Create ``path`` if need be and prove that a file can be written in it."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise ConfigError(f"{name} cannot be used: {path}: {exc.strerror or exc}") from None


async def wait_for_telegram(bot: Bot, settings: Settings) -> None:
    """``getMe`` until Telegram answers, waiting 1 s, 2 s, 4 s … at most a minute between tries.

    A token Telegram rejects (401, or 404 for one it does not know) is a setting to fix: one
    line, and the start ends.
    """
    where = settings.telegram_api_url or "api.telegram.org"
    token = settings.bot_token.get_secret_value()
    wait = FIRST_RETRY
    attempt = 1
    while True:
        try:
            await bot.get_me(request_timeout=GET_ME_TIMEOUT)
            return
        except (TelegramUnauthorizedError, TelegramNotFound):
            raise ConfigError("BOT_TOKEN is invalid: Telegram rejected it") from None
        except TelegramRetryAfter as exc:
            pause, reason = float(exc.retry_after), "asked to wait"
        except (TelegramAPIError, ClientError, TimeoutError, OSError) as exc:
            pause, reason = wait, _reason(exc).replace(token, "<token>")
            wait = min(wait * 2, MAX_RETRY)
        logger.warning(
            "Telegram cannot be reached at %s (try %d: %s); trying again in %.0f s",
            where,
            attempt,
            reason,
            pause,
        )
        attempt += 1
        await asyncio.sleep(pause)


def _reason(exc: BaseException) -> str:
    """The error in one line, without aiogram's "Telegram server says" prefix."""
    text = exc.message if isinstance(exc, TelegramAPIError) else str(exc)
    return (text or type(exc).__name__).splitlines()[0]
