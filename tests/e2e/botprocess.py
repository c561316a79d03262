"""The real bot, ``python -m bot``, as a subprocess talking to the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.fakeapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


class BotProcess:
    """Start, kill and restart the bot; its log goes to a file the tests can read."""

    def __init__(
        self,
        api: FakeBotAPI,
        workdir: Path,
        *args: str,
        **settings: str,
    ) -> None:
        self.api = api
        self.workdir = workdir
        self.args = args
        self.settings = settings
        self.data_dir = workdir / "data"
        self.log_path = workdir / "bot.log"
        self.process: asyncio.subprocess.Process | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ENCRYPTION"))}
        env.update(
            PYTHONPATH=str(ROOT),
            BOT_TOKEN="42:TEST",
            TELEGRAM_API_URL=self.api.base_url,
            DATA_DIR=str(self.data_dir),
            ENCRYPTION_KEYS=TEST_KEY,
            LOG_LEVEL="DEBUG",
        )
        env.update(self.settings)
        return env

    async def launch(self) -> asyncio.subprocess.Process:
        with self.log_path.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                *self.args,
                cwd=self.workdir,
                env=self.env(),
                stdout=log,
                stderr=log,
            )
        return self.process

    async def start(self) -> None:
        """Launch and wait until the bot is long-polling."""
        polls = self.api.poll_count
        await self.launch()
        await self.api.wait_polling(since=polls, timeout=START_TIMEOUT)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 20)
            except TimeoutError:
                await self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


async def check(api: FakeBotAPI, workdir: Path, **settings: str) -> tuple[int, list[str]]:
    """``python -m bot check`` run to its end: its exit code and the lines it logged."""
    process = BotProcess(api, workdir, "check", **settings)
    logged = len(process.log())
    finished = await process.launch()
    code = await asyncio.wait_for(finished.wait(), START_TIMEOUT)
    return code, process.log()[logged:].splitlines()
