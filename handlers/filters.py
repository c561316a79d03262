"""Router-level filters shared by the feature routers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import F, Router
from aiogram.enums import ChatType


def private_only(router: Router) -> Router:
    """Messages and buttons in groups and channels never reach this router's handlers."""
    router.message.filter(F.chat.type == ChatType.PRIVATE)
    router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    return router


def run_filters_on_loop(router: Router) -> None:
    """Run the plain-function filters of ``router`` and its sub-routers on the event loop.

    aiogram runs a filter that is not a coroutine (``F.…``, a bare ``State``) in a worker thread:
    a dozen thread round trips per update here, a tenth of the bot's CPU time (bench/RESULTS.md).
    These filters only look at the update; none blocks.
    """
    for each in router.chain_tail:
        for observer in each.observers.values():
            for handler in (observer._handler, *observer.handlers):
                for check in handler.filters or ():
                    if not check.awaitable:
                        check.callback, check.awaitable = _on_loop(check.callback), True


def _on_loop(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return call


NOT_COMMAND = ~F.text.startswith("/")
"""Catch-all handlers of a step leave commands to the routers that know them."""
TYPED_TEXT = F.text & NOT_COMMAND
EVIDENCE = F.photo | F.document | F.video | F.voice | F.audio
