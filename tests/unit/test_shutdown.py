"""A shutdown lets the updates already taken from Telegram finish before the database closes."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiogram.types import Update

from bot.telegram.middlewares import InFlightUpdates


async def test_finish_waits_for_the_update_being_handled() -> None:
    in_flight = InFlightUpdates()
    release = asyncio.Event()
    done: list[str] = []

    async def handler(event: object, data: dict[str, object]) -> None:
        await release.wait()
        done.append("handled")

    handling = asyncio.create_task(in_flight(handler, Update(update_id=1), {}))
    await asyncio.sleep(0)
    finishing = asyncio.create_task(in_flight.finish(within=30))
    await asyncio.sleep(0.05)
    assert not finishing.done(), "finish returned while an update was still being handled"
    release.set()
    await asyncio.wait_for(finishing, 5)
    assert done == ["handled"]
    await handling


async def test_finish_gives_up_after_its_grace_period(caplog: pytest.LogCaptureFixture) -> None:
    in_flight = InFlightUpdates()

    async def stuck(event: object, data: dict[str, object]) -> None:
        await asyncio.Event().wait()

    handling = asyncio.create_task(in_flight(stuck, Update(update_id=1), {}))
    await asyncio.sleep(0)
    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(in_flight.finish(within=0.05), 5)
    assert "1 updates still being handled" in caplog.text
    handling.cancel()
    await asyncio.gather(handling, return_exceptions=True)
    caplog.clear()
    await asyncio.wait_for(in_flight.finish(within=0.05), 5)
    assert "still being handled" not in caplog.text, "a cancelled update counts no more"
