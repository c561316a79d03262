"""/start: the welcome once, then the menu, or the report dialog a region's deep link starts."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.broadcasts.subscribers import SubscriberService
from bot.reports.dialog import begin, draft_step
from bot.settings import Settings
from bot.ui import keyboards, texts
from bot.ui.context import ViewContext
from bot.ui.replies import send

DEEP_LINK_REGION = "r_"


def get_router() -> Router:
    router = Router(name="start.welcome")

    @router.message(CommandStart())
    async def start(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        settings: Settings,
        view: ViewContext,
        subscribers: SubscriberService,
    ) -> None:
        # The welcome once: join() is true only for a chat new to the bot (or back after
        # blocking it); a returning user gets straight to what they came for.
        if await subscribers.join(message.chat.id, view.locale):
            await message.answer(
                texts.welcome(settings.hotline), reply_markup=keyboards.more_privacy()
            )
        region = _deep_link_region(command.args, view)
        if region is not None:
            await begin(message, state, view, region=region)
            return
        await show_menu(message, state)

    return router


async def show_menu(event: Message | CallbackQuery, state: FSMContext) -> None:
    has_draft = await draft_step(state) is not None
    await send(event, _("What would you like to do?"), keyboards.main_menu(has_draft=has_draft))


def _deep_link_region(args: str | None, view: ViewContext) -> str | None:
    if not args or not args.startswith(DEEP_LINK_REGION):
        return None
    code = args.removeprefix(DEEP_LINK_REGION)
    return code if view.catalog.region(code) else None
