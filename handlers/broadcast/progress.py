"""/broadcasts and the pause / resume / cancel buttons under a progress message."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.broadcasts import views as broadcast_views
from bot.broadcasts.service import BroadcastService
from bot.settings import Settings
from bot.ui.callbacks import ControlCB
from bot.ui.context import ViewContext
from bot.ui.replies import notice, present


def get_router() -> Router:
    router = Router(name="broadcast.progress")

    @router.message(Command("broadcasts"))
    async def recent(message: Message, broadcasts: BroadcastService, view: ViewContext) -> None:
        rows = await broadcasts.recent()
        tallied = [(row, await broadcasts.tally(row)) for row in rows]
        await message.answer(
            broadcast_views.recent_text(tallied, view),
            reply_markup=broadcast_views.recent_keyboard(rows),
        )

    @router.callback_query(ControlCB.filter())
    async def control(
        query: CallbackQuery,
        callback_data: ControlCB,
        broadcasts: BroadcastService,
        settings: Settings,
        view: ViewContext,
    ) -> None:
        row = await broadcasts.control(callback_data.broadcast, callback_data.action)
        if row is None:
            await notice(query, _("This button is no longer active."))
            return
        await present(
            query,
            broadcast_views.progress(
                row, await broadcasts.tally(row), settings.broadcast_rate, view
            ),
            broadcast_views.control_keyboard(row),
        )

    return router
