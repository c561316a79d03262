"""The citizen's report dialog: one step at a time, Back everywhere, nothing typed is lost.

One router per part of the dialog, tried in this order; each handler gets the draft as ``draft``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.types import TelegramObject

from bot.reports.draft import Draft
from handlers.report import body, evidence, review, steps, unexpected


def get_router() -> Router:
    router = Router(name="report")
    router.message.middleware(inject_draft)
    router.callback_query.middleware(inject_draft)
    router.include_routers(
        steps.get_router(),
        body.get_router(),
        evidence.get_router(),
        review.get_router(),
        unexpected.get_router(),
    )
    return router


async def inject_draft(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """The draft in the FSM data, read once the handler is chosen (storage.fsm keeps the row of
    the update, so this is no extra read)."""
    data["draft"] = Draft.from_data(await data["state"].get_data())
    return await handler(event, data)
