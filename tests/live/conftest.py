"""The whole bot in this process, long-polling the fake Bot API (tests/support/live.py); a
module overrides ``live`` when its bot needs other settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakeapi import FakeBotAPI
from tests.support.live import Live, live_bot


@pytest.fixture
async def live(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Live]:
    async for running in live_bot(fake_api, tmp_path):
        yield running
