"""The CSV export from the workspace: sent through the bot to the requester's private chat,
exactly as /export sends it (``bot.stats.export``)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from bot.stats.export import send_export
from bot.stats.service import StatsService
from bot.ui.context import ViewContext


async def export(
    bot: Bot,
    stats: StatsService,
    requester: int,
    regions: frozenset[str] | None,
    ctx: ViewContext,
) -> bool:
    """Send the export; False, with nothing exported nor audited, when the bot cannot write to
    the requester (no private chat with it, or blocked)."""
    try:
        await bot.send_chat_action(requester, ChatAction.UPLOAD_DOCUMENT)
    except (TelegramForbiddenError, TelegramBadRequest):
        return False
    await send_export(bot, stats, requester, regions, ctx)
    return True
