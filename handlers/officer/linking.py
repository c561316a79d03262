"""/join links a chat to a department or puts an officer on its roster; /unlink undoes a link."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import Message, User
from aiogram.utils.i18n import gettext as _

from bot.cases.chat_views import chat_language_keyboard, chat_language_question
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.settings import Settings
from bot.ui.context import ViewContext
from bot.ui.labels import role_labels
from bot.ui.workspace import offer_menu_button, workspace_keyboard
from handlers.gate import act_as_yourself, only_officers, own_account, person_of, refuse


def get_router() -> Router:
    router = Router(name="officer.linking")

    @router.message(Command("join"))
    async def join(
        message: Message,
        command: CommandObject,
        event_from_user: User,
        departments: DepartmentService,
        roster: Roster,
        view: ViewContext,
        settings: Settings,
        bot: Bot,
    ) -> None:
        """A chat's code links the chat; a personal code, sent in private, puts its sender on
        the roster. A personal code sent into a group is spent: the group has read it."""
        code = command.args or ""
        private = message.chat.type == ChatType.PRIVATE
        kind = "private" if private else "group"
        region = await departments.join(code, message.chat.id, kind)
        if region is not None:
            linked = _("Linked. New reports for {region} will come to this chat.").format(
                region=view.region_name(region)
            )
            linker = departments.linker_tag(message.chat.id, event_from_user.id)
            await message.answer(
                f"{linked}\n\n{chat_language_question()}",
                reply_markup=chat_language_keyboard(linker),
            )
            return
        if private and own_account(message):
            joined = await roster.join(code, person_of(event_from_user))
            if joined is not None:
                url = settings.webapp_url
                await message.answer(
                    _(
                        "You are on the roster of the department.\nRegion: {region}\n"
                        "Role: {role}\n\nYou can now act on its cases in the department's chat."
                    ).format(region=view.region_name(joined[0]), role=role_labels()[joined[1]]),
                    reply_markup=workspace_keyboard(url) if url else None,
                )
                if url:
                    await offer_menu_button(bot, message.chat.id, url)
                return
        elif not private and await roster.void(code):
            await message.answer(
                _(
                    "This code is personal and must be sent to the bot in a private chat. It was "
                    "shown in a group, so it no longer works: ask for a new one."
                )
            )
            return
        await message.answer(
            _("This code is unknown, used or expired. Ask an admin for a new one.")
        )

    @router.message(Command("unlink"))
    async def unlink(
        message: Message,
        command: CommandObject,
        event_from_user: User,
        departments: DepartmentService,
        roster: Roster,
    ) -> None:
        region = (command.args or "").strip() or None
        if not own_account(message):
            await refuse(message, act_as_yourself())
            return
        linked = await departments.regions_of(message.chat.id)
        targets = linked & {region} if region else linked
        if not targets:
            await message.answer(_("This chat is not linked to that department."))
            return
        if not await roster.may_act(event_from_user.id, targets):
            await refuse(message, only_officers())
            return
        await departments.unlink(message.chat.id, region)
        await message.answer(_("Unlinked. This chat no longer receives reports."))

    return router
