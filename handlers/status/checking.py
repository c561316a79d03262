"""/status and its button: ask for a receipt code, check it, show the report."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.reports.checks import StatusChecks
from bot.reports.lookup import StatusLookup
from bot.reports.status import StatusForm
from bot.ui.callbacks import Action, ActionCB
from bot.ui.context import ViewContext
from bot.ui.replies import present
from handlers.filters import NOT_COMMAND, TYPED_TEXT
from handlers.status.shared import ask_code, check_code, enter


def get_router() -> Router:
    router = Router(name="status.checking")

    @router.message(Command("status"))
    async def status_command(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        user_key: bytes,
        view: ViewContext,
        checks: StatusChecks,
        status_lookup: StatusLookup,
    ) -> None:
        await enter(state, checks, user_key)
        if command.args:
            await check_code(message, command.args, state, user_key, view, status_lookup)
            return
        await message.answer(ask_code())

    @router.callback_query(ActionCB.filter(F.action == Action.STATUS))
    async def status_button(
        query: CallbackQuery, state: FSMContext, checks: StatusChecks, user_key: bytes
    ) -> None:
        await enter(state, checks, user_key)
        await present(query, ask_code())

    @router.message(StateFilter(StatusForm.code, StatusForm.viewing), TYPED_TEXT)
    async def code_typed(
        message: Message,
        state: FSMContext,
        user_key: bytes,
        view: ViewContext,
        status_lookup: StatusLookup,
    ) -> None:
        await check_code(message, message.text or "", state, user_key, view, status_lookup)

    @router.message(StatusForm.code, NOT_COMMAND)
    async def code_expected(message: Message) -> None:
        await message.answer(ask_code())

    return router
