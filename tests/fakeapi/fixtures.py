"""pytest fixtures for the fake Bot API.

Register them in ``tests/conftest.py`` with ``pytest_plugins = ["tests.fakeapi.fixtures"]``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from .server import FakeBotAPI

#: ``shared/`` sits beside the repository root, locally and in CI.
SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "telegram" / "bot-api.json"
TEST_TOKEN = "42:TEST"


class LocalSession(AiohttpSession):
    """AiohttpSession for the plain-HTTP fake: ``close`` skips the 250 ms wait for TLS shutdown."""

    def __init__(self, base_url: str) -> None:
        super().__init__(api=TelegramAPIServer.from_base(base_url))

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    """A running fake server; the test fails at teardown if any request broke Telegram's rules.

    A test that provokes violations on purpose must consume them with
    ``fake_api.take_violations()``.
    """
    async for server in serving():
        yield server


async def serving() -> AsyncIterator[FakeBotAPI]:
    """What ``fake_api`` yields, for a fixture of the same name on another event loop (the
    browser tests run theirs on the module's loop, where their browser lives)."""
    server = FakeBotAPI(spec_path=SPEC_PATH)
    await server.start()
    yield server
    await server.stop()
    if server.violations:
        pytest.fail(
            "requests Telegram would reject:\n" + "\n".join(server.violations), pytrace=False
        )


@pytest_asyncio.fixture
async def fake_bot(fake_api: FakeBotAPI) -> AsyncIterator[Bot]:
    """An aiogram Bot (token ``42:TEST``) talking to ``fake_api``."""
    bot = Bot(TEST_TOKEN, session=LocalSession(fake_api.base_url))
    yield bot
    await bot.session.close()
