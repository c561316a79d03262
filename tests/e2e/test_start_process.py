"""Starting ``python -m bot`` when something is wrong: what can heal is waited out with one line
per try, what the operator must fix ends the start with one line naming the setting."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from tests.e2e.botprocess import START_TIMEOUT, BotProcess
from tests.fakeapi import FakeBotAPI
from tests.fakeapi.fixtures import SPEC_PATH
from tests.support.people import Person

RETRY_LINE = "Telegram cannot be reached at"
CONFIG_LINE = "adal: configuration error: "


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def log_lines_with(process: BotProcess, needle: str, count: int) -> list[str]:
    """Wait until the log holds ``count`` lines with ``needle``; those lines."""
    async with asyncio.timeout(START_TIMEOUT):
        while True:
            lines = [line for line in process.log().splitlines() if needle in line]
            if len(lines) >= count:
                return lines
            assert process.process is not None and process.process.returncode is None, process.log()
            await asyncio.sleep(0.2)


async def exit_line(process: BotProcess) -> str:
    """Launch, expect exit status 2, and return the single line the start ended with."""
    exited = await process.launch()
    assert await asyncio.wait_for(exited.wait(), START_TIMEOUT) == 2, process.log()
    log = process.log()
    assert "Traceback" not in log, log
    return log.strip().splitlines()[-1]


async def test_no_telegram_at_start_is_waited_out_and_then_the_bot_works(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    port = closed_port()
    process = BotProcess(fake_api, tmp_path, TELEGRAM_API_URL=f"http://127.0.0.1:{port}")
    await process.launch()
    late = FakeBotAPI(spec_path=SPEC_PATH)
    try:
        tries = await log_lines_with(process, RETRY_LINE, 3)
        assert [f"try {n}:" in line for n, line in enumerate(tries[:3], 1)] == [True] * 3
        assert "trying again in 1 s" in tries[0] and "trying again in 2 s" in tries[1]
        assert all("WARNING" in line and str(port) in line for line in tries), tries
        assert "42:TEST" not in process.log(), "the token never reaches the log"

        await late.start(port=port)
        await late.wait_polling(since=0, timeout=START_TIMEOUT)
        person = Person(late, late.make_user(language_code="ru"))
        await person.command("/start", button="do:new")
    finally:
        await process.stop()
        await late.stop()
    assert "Traceback" not in process.log()


@pytest.mark.parametrize("status", [401, 404])
async def test_a_token_telegram_rejects_at_get_me_ends_the_start_with_one_line(
    fake_api: FakeBotAPI, tmp_path: Path, status: int
) -> None:
    fake_api.fail_next(
        "getMe", status, description="Unauthorized" if status == 401 else "Not Found"
    )
    line = await exit_line(BotProcess(fake_api, tmp_path))
    assert line == f"{CONFIG_LINE}BOT_TOKEN is invalid: Telegram rejected it"


@pytest.mark.parametrize(
    ("setting", "path", "reason"),
    [
        ("DATA_DIR", "data", "DATA_DIR cannot be used"),
        ("KEY_FILE", "secrets/adal.key", "KEY_FILE cannot be created"),
    ],
)
async def test_a_folder_that_cannot_be_made_ends_the_start_with_one_line(
    fake_api: FakeBotAPI, tmp_path: Path, setting: str, path: str, reason: str
) -> None:
    """A path under a regular file: no directory can be made there, even by root."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    target = blocker / path
    settings = {setting: str(target), **({"ENCRYPTION_KEYS": ""} if setting == "KEY_FILE" else {})}
    line = await exit_line(BotProcess(fake_api, tmp_path, **settings))
    assert line.startswith(f"{CONFIG_LINE}{reason}: {target}: "), line
    assert fake_api.calls("getMe") == [], "nothing is asked of Telegram before the folders"


async def test_the_start_logs_one_line_per_scheduled_job(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    process = BotProcess(fake_api, tmp_path)
    await process.start()
    await process.stop()
    log = process.log()
    jobs = [line for line in log.splitlines() if " Scheduled " in line]
    names = (
        "digests",
        "overdue reminders",
        "urgent cases",
        "expired drafts purge",
        "closes made final",
        "retention",
    )
    assert len(jobs) == len(names), jobs
    scheduled = {line.split(" Scheduled ")[1].split(": next run ")[0] for line in jobs}
    assert scheduled == set(names), jobs
    assert all(": next run 20" in line for line in jobs), jobs
    for noise in ("Adding job tentatively", "<text>", "apscheduler"):
        assert noise not in log, noise
