"""Bots under test: their settings, their database, and their own process.

Each bot runs in a process of its own, so that the fake server and the simulated people get the
other core, and the RSS and CPU time measured are the bot's alone.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bot.app import Services, build_services
from bot.settings import Settings, load_settings
from tests.fakeapi import FakeBotAPI
from tests.fakeapi.fixtures import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[1]
ADMIN_ID = 900100200
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
SAMPLE_SECONDS = 0.1


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class BotConfig:
    """One bot's settings: as environment for its process, as Settings to seed its database."""

    api_url: str
    data_dir: Path
    extra: Mapping[str, str] = field(default_factory=dict)
    key: str = field(default_factory=new_key)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "ENCRYPTION"))}
        env.update(
            PYTHONPATH=str(ROOT),
            BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_URL=self.api_url,
            DATA_DIR=str(self.data_dir),
            ENCRYPTION_KEYS=self.key,
            ADMIN_IDS=str(ADMIN_ID),
            LOG_LEVEL="WARNING",
            **self.extra,
        )
        return env

    def settings(self) -> Settings:
        return load_settings(
            bot_token=TEST_TOKEN,
            telegram_api_url=self.api_url,
            data_dir=self.data_dir,
            encryption_keys=self.key,
            admin_ids=str(ADMIN_ID),
            _env_file=None,
            **{name.lower(): value for name, value in self.extra.items()},
        )


@asynccontextmanager
async def services_of(config: BotConfig) -> AsyncIterator[Services]:
    """The bot's services in this process: to seed its database, or to read it afterwards."""
    services = await build_services(config.settings())
    try:
        yield services
    finally:
        await services.close()


class Watched:
    """A running bot process: current and peak RSS (sampled), CPU seconds."""

    def __init__(self, process: asyncio.subprocess.Process, started: float) -> None:
        self.process = process
        self.started = started
        """``time.monotonic()`` just before it was spawned."""
        self.polling = 0.0
        """When its first long poll reached the fake server (if it was given one)."""
        self.peak_rss = 0
        self._ps = psutil.Process(process.pid)
        self._sampler = asyncio.create_task(self._sample())

    def rss(self) -> int:
        rss = self._ps.memory_info().rss
        self.peak_rss = max(self.peak_rss, rss)
        return rss

    def cpu_seconds(self) -> float:
        times = self._ps.cpu_times()
        return times.user + times.system

    async def _sample(self) -> None:
        with contextlib.suppress(psutil.NoSuchProcess):
            while self.process.returncode is None:
                self.rss()
                await asyncio.sleep(SAMPLE_SECONDS)

    async def wait(self, within: float) -> int:
        code = await asyncio.wait_for(self.process.wait(), within)
        await self._sampler
        return code

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        await self._sampler


@asynccontextmanager
async def bot_process(
    config: BotConfig, module: str, *args: str, api: FakeBotAPI | None = None
) -> AsyncIterator[Watched]:
    """``python -m module args``; with ``api``, returns once it is long-polling it."""
    log = config.data_dir.parent / f"{module}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    polls = api.poll_count if api is not None else 0
    env, started = config.env(), time.monotonic()
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            *args,
            cwd=config.data_dir.parent,
            env=env,
            stdout=output,
            stderr=output,
        )
    watched = Watched(process, started)
    try:
        if api is not None:
            await _polling(api, polls, process)
            watched.polling = time.monotonic()
        yield watched
    finally:
        await watched.stop()
        if process.returncode not in (0, -signal.SIGTERM):
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{module} exited with {process.returncode}:\n{tail}")


async def _polling(api: FakeBotAPI, polls: int, process: asyncio.subprocess.Process) -> None:
    """Wait until the bot long-polls ``api``; fail at once if it exits first."""
    polling = asyncio.create_task(api.wait_polling(since=polls, timeout=START_TIMEOUT))
    exited = asyncio.create_task(process.wait())
    await asyncio.wait((polling, exited), return_when=asyncio.FIRST_COMPLETED)
    exited.cancel()
    if not polling.done():
        polling.cancel()
        raise RuntimeError(f"the bot exited with {process.returncode} before polling")
    polling.result()
