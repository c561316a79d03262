"""The web workspace: the live bot with its web server (tests/support/workspace.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakeapi import FakeBotAPI
from tests.support.workspace import Workspace, workspace_bot


@pytest.fixture
async def workspace(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Workspace]:
    async for running in workspace_bot(fake_api, tmp_path):
        yield running
