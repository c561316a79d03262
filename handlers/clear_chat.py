"""«Clear this chat» under a receipt: the report dialog deleted on both sides, the code kept."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.reports.trail import ChatTrail
from bot.ui.callbacks import Action, ActionCB
from bot.ui.replies import notice, present


def get_router() -> Router:
    router = Router(name="clear_chat")

    @router.callback_query(ActionCB.filter(F.action == Action.CLEAR_CHAT))
    async def clear_chat(
        query: CallbackQuery, state: FSMContext, bot: Bot, trail: ChatTrail
    ) -> None:
        receipt = query.message
        if not isinstance(receipt, Message) or not await trail.clear(
            bot, state.key, receipt.message_id
        ):
            await notice(query, _("This button is no longer active."))
            return
        await present(query, receipt.html_text + "\n\n" + _cleared_text())

    return router


def _cleared_text() -> str:
    return _(
        "🧹 The conversation about this report has been deleted, on your side and the bot's. "
        "Only this message is left, because it holds your receipt code: copy the code somewhere "
        "safe, then delete this message yourself. Messages older than 48 hours cannot be "
        "deleted by the bot: delete any that remain yourself too."
    )
