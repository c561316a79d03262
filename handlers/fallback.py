"""Last in line: anything no feature handled gets a short, helpful answer and changes nothing."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _


def get_router() -> Router:
    router = Router(name="fallback")

    @router.message()
    async def unknown_message(message: Message) -> None:
        await message.answer(
            _(
                "I did not understand that. To report corruption, send /report; to check a "
                "report, /status; for help and hotlines, /help."
            )
        )

    @router.callback_query()
    async def stale_button(query: CallbackQuery) -> None:
        await query.answer(_("This button is no longer active."))

    return router
