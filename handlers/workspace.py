"""/workspace: the button that opens the web workspace, for people on a roster and admins.

The same button becomes the private chat's menu button, so the workspace stays one tap away.
Anyone else is told what they would be told for any officers' command.
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message, User
from aiogram.utils.i18n import gettext as _

from bot.departments.roster import Roster
from bot.settings import Settings
from bot.ui.workspace import offer_menu_button, workspace_keyboard
from handlers.gate import only_officers


def get_router() -> Router:
    router = Router(name="workspace")

    @router.message(Command("workspace"))
    async def workspace(
        message: Message, event_from_user: User, roster: Roster, settings: Settings, bot: Bot
    ) -> None:
        url = settings.webapp_url
        if url is None:
            await message.answer(_("The web workspace is not enabled on this bot."))
            return
        if not roster.is_admin(event_from_user.id) and not await roster.roles(event_from_user.id):
            await message.answer(only_officers())
            return
        await message.answer(
            _(
                "Your cases, their deadlines and the department's tools, on a page inside "
                "Telegram. It opens only for the people on a department's roster."
            ),
            reply_markup=workspace_keyboard(url),
        )
        await offer_menu_button(bot, message.chat.id, url)

    return router
