"""The real bot, ``python -m bot``, as a subprocess talking to the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.fakeapi import FakeBotAPI, FakeUser, SentMessage

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
REPLY_TIMEOUT = 15.0


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


class Person:
    """A citizen tapping and typing; each action returns the reply it waited for."""

    def __init__(self, api: FakeBotAPI, user: FakeUser) -> None:
        self.api = api
        self.user = user

    async def _reply(self, mark: int, button: str | None, text: str | None) -> SentMessage:
        def matches(message: SentMessage) -> bool:
            if button is not None and all(
                b.get("callback_data") != button for b in message.buttons
            ):
                return False
            return text is None or text in (message.plain_text or "")

        return await self.api.next_reply(
            self.user, after=mark, timeout=REPLY_TIMEOUT, where=matches
        )

    async def command(
        self, text: str, *, button: str | None = None, expect: str | None = None
    ) -> SentMessage:
        mark = self.api.mark()
        self.api.send_command(self.user, text)
        return await self._reply(mark, button, expect)

    async def say(
        self, text: str, *, button: str | None = None, expect: str | None = None
    ) -> SentMessage:
        mark = self.api.mark()
        self.api.send_text(self.user, text)
        return await self._reply(mark, button, expect)

    async def press(
        self, data: str, *, button: str | None = None, expect: str | None = None
    ) -> SentMessage:
        mark = self.api.mark()
        self.api.press(self.user, data)
        return await self._reply(mark, button, expect)

    async def photo(self, data: bytes, *, button: str = "do:done") -> SentMessage:
        mark = self.api.mark()
        self.api.send_photo(self.user, data)
        return await self._reply(mark, button, None)

    async def document(self, data: bytes, name: str, *, button: str = "do:done") -> SentMessage:
        mark = self.api.mark()
        self.api.send_document(self.user, data, file_name=name)
        return await self._reply(mark, button, None)

    async def walk_to_review(
        self, body: str, *, region: str = "abai", contact: bool = False
    ) -> None:
        """/report to the review screen: ``region``, akimat, a week ago, no place, ``body``, no
        files, and whether the department may ask back."""
        await self.command("/report", button=f"rg:{region}")
        await self.press(f"rg:{region}", button="sp:akimat")
        await self.press("sp:akimat", button="wh:week")
        await self.press("wh:week", button="do:skip")
        await self.press("do:skip", button="do:back")
        await self.say(body, button="do:done")
        await self.press("do:done", button="do:skip")
        await self.press("do:skip", button="do:cyes")
        await self.press("do:cyes" if contact else "do:cno", button="do:submit")
