"""``python -m bot`` forked from a server that has already imported the bot.

Importing aiogram costs seconds; a fork from a process that did it once costs milliseconds. The
child is still a separate process running ``bot.__main__.main``, killed with a real SIGKILL, so
crash tests can restart the bot twenty times without waiting for twenty imports.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
from multiprocessing.process import BaseProcess

from tests.e2e.botprocess import BotProcess

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["bot.__main__"])


def _run_bot(env: dict[str, str], args: list[str], log_path: str, cwd: str) -> None:
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 1)
    os.dup2(log, 2)
    from bot.__main__ import main

    sys.exit(main(args))


class ForkedBot(BotProcess):
    """A BotProcess whose launches are forks: same settings, log file and waiting helpers."""

    forked: BaseProcess | None = None

    async def launch(self) -> None:  # type: ignore[override]
        self.forked = _CONTEXT.Process(
            target=_run_bot,
            args=(self.env(), list(self.args), str(self.log_path), str(self.workdir)),
            daemon=True,
        )
        await asyncio.to_thread(self.forked.start)

    async def kill(self) -> None:
        assert self.forked is not None
        self.forked.kill()
        await asyncio.to_thread(self.forked.join)

    async def stop(self) -> None:
        if self.forked is not None and self.forked.exitcode is None:
            self.forked.terminate()
            await asyncio.to_thread(self.forked.join, 20)
            if self.forked.exitcode is None:
                await self.kill()

    async def wait(self, timeout: float) -> int | None:
        """Wait for a run that ends by itself (``digest``); its exit code."""
        assert self.forked is not None
        await asyncio.to_thread(self.forked.join, timeout)
        return self.forked.exitcode
