"""What a person who copies the data directory or reads the logs can learn: nothing personal."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from pathlib import Path

import pytest

from bot.app import Services
from bot.app.logs import RedactFilter, setup_logging
from bot.core import receipt
from bot.settings import Settings
from tests.support.dialog import fill_report, receipt_code
from tests.support.harness import Citizen, texts

MARKER = "ZXQ-MARKER-7731"


def data_bytes(data_dir: Path) -> bytes:
    """Every file under DATA_DIR: the database, its -wal and -shm."""
    files = sorted(path for path in data_dir.rglob("*") if path.is_file())
    assert any(path.name.endswith("-wal") for path in files), "WAL mode leaves a -wal file"
    return b"".join(path.read_bytes() for path in files)


def needles(citizen: Citizen, code: str) -> dict[str, bytes]:
    user = citizen.user
    found = {
        "marker": MARKER.encode(),
        "user id": str(user.id).encode(),
        "user id (8-byte int)": user.id.to_bytes(8, "little", signed=True),
        "first name": user.first_name.encode(),
        "username": (user.username or "").encode(),
        "receipt code": code.encode(),
    }
    if user.last_name:
        found["last name"] = user.last_name.encode()
    return found


@pytest.mark.sqlite_only  # on PostgreSQL the leak grep reads each test's dump (support/backends.py)
async def test_nothing_personal_in_database_files_or_logs(
    citizen: Citizen, services: Services, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await citizen.say("/start")
    await citizen.press("lang:kk")
    await citizen.say("/report")
    await citizen.press("rg:abai")
    await citizen.press("sp:police")
    await citizen.press("wh:today")
    await citizen.say(f"Акимат {MARKER}")
    await citizen.say(f"Начальник отдела требовал взятку, пароль {MARKER}, свидетели есть.")
    await citizen.press("do:done")
    await citizen.document(f"%PDF-1.4 {MARKER}".encode(), name=f"{MARKER}.pdf")
    await citizen.press("do:done")
    await citizen.press("do:cyes")
    code = receipt_code(await citizen.press("do:submit"))
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")
    await citizen.say(f"Ещё деталь {MARKER}")

    raw = data_bytes(settings.data_dir)
    logs = "\n".join(record.getMessage() for record in caplog.records)
    for name, needle in needles(citizen, code).items():
        assert needle not in raw, f"{name} found in the data directory"
    user = citizen.user
    for text in (MARKER, str(user.id), user.first_name, user.last_name, user.username, code):
        assert text not in logs, f"{text!r} found in the logs"


async def test_receipt_is_stored_only_as_keyed_hash(citizen: Citizen, services: Services) -> None:
    await fill_report(citizen)
    code = receipt_code(await citizen.press("do:submit"))
    row = await services.database.fetchone("SELECT receipt_hash FROM reports")
    assert bytes(row[0]) == services.pseudonyms.digest("receipt", code)
    assert code.encode() not in bytes(row[0])


@contextmanager
def bot_log() -> Iterator[io.StringIO]:
    """The bot's own log handler, formatter and filter (``setup_logging``), into a buffer."""
    root, quiet = logging.getLogger(), logging.getLogger("aiosqlite")
    handlers, level, quiet_level = root.handlers[:], root.level, quiet.level
    output = io.StringIO()
    with redirect_stderr(output):
        setup_logging("DEBUG")
    try:
        yield output
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        quiet.setLevel(quiet_level)


async def test_an_unexpected_error_is_logged_without_payload_and_keeps_the_draft(
    citizen: Citizen, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fill_report(citizen)
    user = citizen.user

    async def broken(*_: object) -> bool:
        raise ValueError(f"failure mentioning {MARKER} by {user.first_name} {user.username}")

    monkeypatch.setattr(services.reports, "submit", broken)
    with bot_log() as output:
        failed = await citizen.press("do:submit")
    assert any(
        "try again" in text or "қайталап" in text or "ещё раз" in text for text in texts(failed)
    )
    logs = output.getvalue()
    assert "ValueError" in logs and "in broken" in logs, "the kind of error and where it was"
    for text in (MARKER, str(user.id), user.first_name, user.last_name, user.username):
        assert text not in logs, f"{text!r} found in the log output"

    monkeypatch.undo()
    code = receipt_code(await citizen.press("do:submit"))
    assert await services.reports.lookup(code) is not None


def test_log_filter_masks_telegram_ids(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("adal.test")
    logger.addFilter(RedactFilter())
    with caplog.at_level(logging.INFO):
        logger.info("chat %s user %d", -1001234567890, 777000111)
    assert "777000111" not in caplog.text and "1234567890" not in caplog.text
    assert caplog.text.count("<id>") == 2


def test_log_filter_masks_receipt_codes_and_quoted_input(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("adal.test.quoted")
    logger.addFilter(RedactFilter())
    code = receipt.generate()
    typed = "Аким района берёт взятки MARKER-7781"
    with caplog.at_level(logging.INFO):
        logger.info("lookup %s and %s", code, receipt.format_code(code).lower())
        try:
            raise ValueError(f"1 validation error: input_value='{typed}', chat 777000111")
        except ValueError:
            logger.exception("failed")
    handler_output = caplog.text + "".join(r.exc_text or "" for r in caplog.records)
    assert code not in handler_output and receipt.format_code(code).lower() not in handler_output
    assert "MARKER-7781" not in handler_output and "777000111" not in handler_output
    assert "<code>" in handler_output and "input_value=<text>" in handler_output
    assert "ValueError" in handler_output, "the kind of error still shows"
