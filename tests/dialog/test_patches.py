"""The patches of bot/telegram/patches.py still work with the installed aiogram.

They reach into aiogram's internals, so an upgrade can turn one into a silent no-op: these tests
fail then, naming what to re-check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from aiogram import Dispatcher
from aiogram.dispatcher.event.handler import FilterObject

from tests.support.harness import Citizen, texts


def filters_of(dispatcher: Dispatcher) -> Iterator[FilterObject]:
    """Every filter of every router: router-level ones and each handler's."""
    for router in dispatcher.chain_tail:
        for observer in router.observers.values():
            for handler in (observer._handler, *observer.handlers):
                yield from handler.filters or ()


def test_every_filter_of_every_router_runs_on_the_loop(dispatcher: Dispatcher) -> None:
    found = list(filters_of(dispatcher))
    assert len(found) > 50, "the routers' filters are no longer where the patch looks for them"
    on_thread = [each.callback for each in found if not each.awaitable]
    assert not on_thread


async def test_an_update_handled_makes_no_thread_round_trip(
    citizen: Citizen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiogram sends a plain filter to ``asyncio.to_thread``; the patched ones never get there."""
    calls: list[Any] = []
    original = asyncio.to_thread

    def spy(function: Any, /, *args: Any, **kwargs: Any) -> Any:
        calls.append(function)
        return original(function, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", spy)
    assert texts(await citizen.say("/report"))
    assert texts(await citizen.press("rg:abai"))
    assert texts(await citizen.say("a story typed where a button is expected"))
    assert not calls
