"""Unexpected errors: log where, never what (no message text, no update payload), and say sorry."""

from __future__ import annotations

import logging
import traceback

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

logger = logging.getLogger(__name__)


def get_router() -> Router:
    router = Router(name="errors")

    @router.errors()
    async def unexpected(event: ErrorEvent) -> None:
        error = event.exception
        frames = "".join(traceback.format_tb(error.__traceback__))
        logger.error("Unhandled %s while handling an update:\n%s", type(error).__name__, frames)
        update = event.update
        message = update.message or (
            update.callback_query.message if update.callback_query else None
        )
        if message is None or message.chat.type != ChatType.PRIVATE:
            return
        try:
            if update.callback_query:
                await update.callback_query.answer()
            await message.answer(
                _(
                    "Sorry, something went wrong on our side. What you have entered so far is "
                    "kept; please try again in a minute."
                )
            )
        except TelegramAPIError as apology_failed:
            # The update stays handled: failing here would have it redelivered and handled
            # again, over and over (a callback already answered fails every time).
            logger.warning("Could not apologise (%s)", type(apology_failed).__name__)

    return router
