"""The webhook application alone: an update is acknowledged only once handled, and stopping the
server waits for the update in flight (then the runtime goes on closing, database last)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Message
from aiohttp import web

from bot.app.webhook import SECRET_HEADER, create_web_app
from tests.support.live import free_port, private_message

SECRET = "unit-secret"
UPDATE = private_message("hello", 5)


class Slow:
    """A dispatcher whose one handler waits until released."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.dispatcher = Dispatcher()
        self.dispatcher.message()(self.handle)

    async def handle(self, message: Message) -> None:
        self.started.set()
        await self.release.wait()


async def failing_probe() -> bool:
    raise ConnectionError("database gone")


@pytest.fixture
async def served() -> AsyncIterator[tuple[Slow, web.AppRunner, str]]:
    slow = Slow()
    bot = Bot("42:TEST")
    app = create_web_app(slow.dispatcher, bot, path="/hook", secret=SECRET, ready=failing_probe)
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield slow, runner, f"http://127.0.0.1:{port}"
    finally:
        slow.release.set()
        await runner.cleanup()
        await bot.session.close()


async def test_acknowledged_only_once_handled_and_stopping_waits_for_it(
    served: tuple[Slow, web.AppRunner, str],
) -> None:
    slow, runner, origin = served
    async with aiohttp.ClientSession() as session:
        posting = asyncio.create_task(
            session.post(f"{origin}/hook", json=UPDATE, headers={SECRET_HEADER: SECRET})
        )
        await asyncio.wait_for(slow.started.wait(), 5)
        stopping = asyncio.create_task(runner.cleanup())
        await asyncio.sleep(0.2)
        assert not posting.done(), "acknowledged before the update was handled"
        assert not stopping.done(), "the server stopped with an update in flight"
        slow.release.set()
        answer = await asyncio.wait_for(posting, 5)
        assert answer.status == 200
        await asyncio.wait_for(stopping, 5)


async def test_a_failing_readiness_check_is_503(served: tuple[Slow, web.AppRunner, str]) -> None:
    _, _, origin = served
    async with aiohttp.ClientSession() as session, session.get(f"{origin}/readyz") as answer:
        assert answer.status == 503
