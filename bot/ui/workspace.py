"""The buttons that open the web workspace (a Telegram Mini App) from a private chat."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    WebAppInfo,
)
from aiogram.utils.i18n import gettext as _

logger = logging.getLogger(__name__)


def workspace_keyboard(url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("🗂 Open the workspace"), web_app=WebAppInfo(url=url))]
        ]
    )


def workspace_menu_button(url: str) -> MenuButtonWebApp:
    """The chat's menu button (beside the text field) opening the workspace."""
    return MenuButtonWebApp(text=_("Workspace"), web_app=WebAppInfo(url=url))


async def offer_menu_button(bot: Bot, chat_id: int, url: str) -> None:
    """Make the workspace the private chat's menu button; a refusal only loses the shortcut."""
    try:
        await bot.set_chat_menu_button(chat_id=chat_id, menu_button=workspace_menu_button(url))
    except TelegramAPIError as exc:
        logger.warning("The workspace's menu button could not be set: %s", type(exc).__name__)
