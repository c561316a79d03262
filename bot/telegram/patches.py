"""Changes to aiogram's behaviour that reach into its internals: re-check them on an upgrade
(tests/dialog/test_patches.py fails when one stops working)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router


def run_filters_on_loop(router: Router) -> None:
    """Run the plain-function filters of ``router`` and its sub-routers on the event loop.

    aiogram runs a filter that is not a coroutine (``F.…``, a bare ``State``) in a worker thread:
    a dozen thread round trips per update here, a tenth of the bot's CPU time (bench/RESULTS.md).
    These filters only look at the update; none blocks. Routers included later are not patched.
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
