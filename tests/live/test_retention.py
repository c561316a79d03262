"""Retention: closed cases go RETENTION_DAYS after closing, with every byte of them out of the
database files; spent invites, sent messages, broadcast recipients and drafts go too."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.app import Services, build_services, create_scheduler
from bot.core import receipt
from bot.core.clock import new_id, utc_now
from bot.ops.retention import Retention, run_vacuum
from bot.reports.evidence import FileKind, IncomingFile
from bot.reports.service import Submission
from bot.settings import ConfigError, Settings, load_settings
from storage.cases import CasesRepository
from storage.retention import RetentionRepository
from tests.fakeapi import FakeBotAPI
from tests.support.flows import BODY, cards, case_id_of, close, report
from tests.support.harness import Citizen
from tests.support.live import Live

LONG_AGO = (utc_now() - timedelta(days=400)).isoformat()
DAY = 24 * 3600


def files_holding(directory: Path, needle: bytes) -> list[str]:
    return [path.name for path in directory.iterdir() if needle in path.read_bytes()]


async def count(live: Live, table: str, report_id: str) -> int:
    row = await live.services.database.fetchone(
        f"SELECT count(*) FROM {table} WHERE report_id = ?", (report_id,)
    )
    return row[0]


@pytest.mark.sqlite_only  # greps SQLite's files
async def test_a_closed_case_past_retention_is_gone_from_every_file(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    await report(person, "astana", body=f"{BODY} OPEN-CASE")
    await report(person, "astana", body=f"{BODY} RECENT-CASE")
    await report(person, "astana", body=f"{BODY} OLD-CASE", photo=b"\xff\xd8" + os.urandom(65536))
    await live.deliver()
    officer = await live.officer("astana")
    ids = {}
    for card in cards(fake_api, group):
        ids[next(m for m in ("OPEN", "RECENT", "OLD") if f" {m}-CASE" in card.plain_text)] = (
            case_id_of(card)
        )
    old, recent, still_open = ids["OLD"], ids["RECENT"], ids["OPEN"]
    repository = CasesRepository(live.services.database)
    await live.services.cases.ask(await repository.get(old), officer.id, "Which office?")
    await live.services.cases.add_information(old, "Office 214, the second floor")
    for case in (recent, old):
        await close(fake_api, officer, group, case)
    await live.sender.drain(within=3)
    database = live.services.database
    await database.execute("UPDATE reports SET closed_at = ? WHERE id = ?", (LONG_AGO, old))
    body = bytes((await database.fetchone("SELECT body FROM reports WHERE id = ?", (old,)))[0])
    photo = bytes(
        (await database.fetchone("SELECT data FROM attachments WHERE report_id = ?", (old,)))[0]
    )
    markers = (body[17:], photo[30000:30064])
    data_dir = live.services.settings.data_dir
    for marker in markers:
        assert files_holding(data_dir, marker), "the ciphertext is in the files before"
    assert await count(live, "outbox", old) > 0 and await count(live, "questions", old) == 1

    removed = await live.services.retention.run()

    assert removed.cases == 1
    assert await repository.get(old) is None
    for table in ("attachments", "report_events", "report_notes", "questions", "outbox"):
        assert await count(live, table, old) == 0, table
    assert await count(live, "audit", old) >= 2, "the audit log (no content) is kept"
    assert (await repository.get(recent)).status == "closed"
    assert (await repository.get(still_open)).status == "delivered"
    assert await count(live, "report_events", recent) > 0
    for marker in markers:
        assert files_holding(data_dir, marker) == [], "no file under DATA_DIR keeps its bytes"
    assert (data_dir / "adal.sqlite3-wal").stat().st_size == 0

    await report(person, "astana", body=f"{BODY} NEW-CASE")
    numbers = await database.fetchall("SELECT case_no FROM reports ORDER BY case_no")
    assert [row[0] for row in numbers] == [1, 2, 4], "the deleted case's number is not reused"


async def test_spent_invites_go_after_a_week(services: Services) -> None:
    for _ in range(4):
        assert await services.departments.invite("abai")
    hashes = [row[0] for row in await services.database.fetchall("SELECT code_hash FROM invites")]
    now = time.time()
    changes = [
        ("used_at", now - 8 * DAY),  # used more than a week ago: goes
        ("used_at", now - 1 * DAY),  # used yesterday: stays a week
        ("expires_at", now - 8 * DAY),  # expired unused more than a week ago: goes
    ]
    for (column, value), code_hash in zip(changes, hashes, strict=False):
        await services.database.execute(
            f"UPDATE invites SET {column} = ? WHERE code_hash = ?", (value, code_hash)
        )

    assert (await services.retention.run()).invites == 2
    kept = {row[0] for row in await services.database.fetchall("SELECT code_hash FROM invites")}
    assert kept == {hashes[1], hashes[3]}


async def test_sent_messages_and_old_broadcast_recipients_go(services: Services) -> None:
    database = services.database
    now = time.time()

    async def message(status: str, sent_at: float | None, parent: int | None = None) -> int:
        await database.execute(
            "INSERT INTO outbox (kind, chat_key, chat_ref, parent_id, status, next_attempt, "
            "created_at, sent_at) VALUES ('header', ?, ?, ?, ?, 0, ?, ?)",
            (b"\x01", b"\x01", parent, status, sent_at or now, sent_at),
        )
        return (await database.fetchone("SELECT max(id) FROM outbox"))[0]

    gone = await message("sent", now - 8 * DAY)
    recent = await message("sent", now - DAY)
    pending = await message("pending", None)
    parent = await message("sent", now - 8 * DAY)
    child = await message("pending", None, parent)

    for broadcast_id in range(1, 13):
        await database.execute(
            "INSERT INTO broadcasts (id, status, audience, content, author, admin_ref, "
            "admin_locale, created_at, scheduled_at, finished_at) "
            "VALUES (?, 'done', '{}', ?, ?, ?, 'ru', '', 0, ?)",
            (broadcast_id, b"\x01", b"\x01", b"\x01", now - 40 * DAY),
        )
        await database.execute(
            "INSERT INTO broadcast_recipients VALUES (?, 1, 'sent'), (?, 2, 'blocked')",
            (broadcast_id, broadcast_id),
        )

    removed = await services.retention.run()

    left = {row[0] for row in await database.fetchall("SELECT id FROM outbox")}
    assert gone not in left and removed.messages == 1
    assert {recent, pending, parent, child} <= left, "a sent parent of a pending reply stays"
    lists = await database.fetchall("SELECT DISTINCT broadcast_id FROM broadcast_recipients")
    assert sorted(row[0] for row in lists) == list(range(3, 13)), "the newest ten keep counts"
    assert removed.recipients == 4


async def draft_with_a_photo(citizen: Citizen, services: Services) -> None:
    await citizen.say("/report")
    for step in ("rg:abai", "sp:police", "wh:week", "do:skip"):
        await citizen.press(step)
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.photo(b"\xff\xd8draft-photo")
    assert (await services.database.fetchone("SELECT count(*) FROM attachments"))[0] == 1


async def age(services: Services, table: str, column: str, hours: float) -> None:
    await services.database.execute(f"UPDATE {table} SET {column} = {column} - ?", (hours * 3600,))


async def test_an_expired_draft_goes_with_its_files(citizen: Citizen, services: Services) -> None:
    await draft_with_a_photo(citizen, services)
    silence = services.settings.draft_ttl_hours + 1
    await age(services, "fsm", "updated_at", silence)
    await age(services, "attachments", "created_at", silence)

    await services.maintenance.purge_expired()

    for table in ("fsm", "attachments"):
        assert (await services.database.fetchone(f"SELECT count(*) FROM {table}"))[0] == 0


async def test_a_draft_still_being_written_keeps_its_old_files(
    citizen: Citizen, services: Services
) -> None:
    await draft_with_a_photo(citizen, services)
    await age(services, "attachments", "created_at", 3 * services.settings.draft_ttl_hours)

    await services.maintenance.purge_expired()

    for step in ("do:done", "do:cno", "do:submit"):
        await citizen.press(step)
    row = await services.database.fetchone(
        "SELECT count(*) FROM attachments JOIN reports ON reports.id = attachments.report_id"
    )
    assert row[0] == 1, "the report went out with the photo"


async def test_retention_runs_daily(services: Services) -> None:
    job = create_scheduler(services).get_job("retention")
    assert job is not None and job.func.__wrapped__ == services.retention.run
    assert isinstance(job.trigger, CronTrigger)
    now = utc_now()
    first = job.trigger.get_next_fire_time(None, now)
    second = job.trigger.get_next_fire_time(first, first + timedelta(seconds=1))
    assert timedelta(0) < first - now <= timedelta(days=1)
    assert second - first == timedelta(days=1)


async def test_retention_days_decides_when_a_closed_case_goes(services: Services) -> None:
    await services.reports.submit(
        Submission(new_id(), receipt.generate(), "abai", "police", "week", None, BODY, None, "ru")
    )
    closed_at = (utc_now() - timedelta(days=30)).isoformat()
    await services.database.execute(
        "UPDATE reports SET status = 'closed', closed_at = ?", (closed_at,)
    )
    assert services.settings.retention_days == 365
    assert (await services.retention.run()).cases == 0
    assert (await Retention(RetentionRepository(services.database), 29).run()).cases == 1
    with pytest.raises(ConfigError, match="RETENTION_DAYS"):
        load_settings(bot_token="42:TEST", retention_days=0, _env_file=None)


@pytest.mark.sqlite_only  # the size of SQLite's file
async def test_vacuum_gives_the_space_of_deleted_files_back(settings: Settings) -> None:
    services = await build_services(settings)
    try:
        document = IncomingFile("f", FileKind.DOCUMENT, None)
        await services.reports.add_draft_file("draft", document, os.urandom(2 * 1024 * 1024))
        await services.reports.discard_draft("draft")
    finally:
        await services.close()
    before = settings.database_path.stat().st_size

    assert await run_vacuum(settings) == 0

    assert settings.database_path.stat().st_size < before - 1024 * 1024
