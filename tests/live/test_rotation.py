"""``rotate-keys``: every ciphertext moves to the first key, a crash half way loses nothing, and
afterwards the old key can be removed with the whole bot still working."""

from __future__ import annotations

import base64
import dataclasses
import time
from pathlib import Path

import pytest

from bot.app import build_services
from bot.broadcasts.content import Content, Version
from bot.broadcasts.service import Request
from bot.core import receipt
from bot.ops.rotation import SEALED, run_rotation
from bot.security.crypto import Cipher, DecryptionError
from bot.settings import Settings, load_settings
from storage.backends import open_database
from storage.broadcasts import BroadcastStatus
from storage.cases import CasesRepository
from storage.counters import LAST_DELETED_CASE_NO
from storage.database import Database
from storage.rotation import RotationRepository
from storage.subscribers import Audience
from tests.conftest import TEST_KEY
from tests.fakeapi import FakeBotAPI
from tests.support import backends
from tests.support.broadcasting import wait_status
from tests.support.flows import BODY, cards, submit_reports
from tests.support.linking import HASH_COLUMNS
from tests.support.live import ADMIN_ID, live_bot
from tests.support.people import Person

OLD_KEY = TEST_KEY
NEW_KEY = base64.b64encode(bytes(range(100, 132))).decode()
FIRST_PHOTO = b"\xff\xd8first-photo" + bytes(range(256)) * 8
SECOND_PHOTO = b"\xff\xd8second-photo" + bytes(range(255, -1, -1)) * 8

# BLOB columns holding keyed hashes (HMAC), which no key rotation touches.


def settings_with(workdir: Path, keys: str) -> Settings:
    return load_settings(
        bot_token="42:TEST",
        data_dir=workdir / "data",
        encryption_keys=keys,
        _env_file=None,
        **backends.overrides(),
    )


async def open_of(settings: Settings) -> Database:
    return await open_database(url=settings.postgres_url, path=settings.database_path)


def prefix_of(key: str) -> bytes:
    return Cipher([base64.b64decode(key)]).prefix


async def blob_columns(database: Database) -> set[str]:
    if database.dialect == "postgresql":
        rows = await database.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type = 'bytea'"
        )
        return {f"{table}.{column}" for table, column in rows}
    columns = set()
    for table in await database.tables():
        for column in await database.fetchall(f"PRAGMA table_info({table})"):
            if column["type"].upper() == "BLOB":
                columns.add(f"{table}.{column['name']}")
    return columns


async def count_with_prefix(database: Database, column: str, prefix: bytes) -> int:
    table, name = column.split(".")
    row = await database.fetchone(
        f"SELECT count(*) FROM {table} WHERE substr({name}, 1, ?) = ?", (len(prefix), prefix)
    )
    return row[0]


async def file_report(
    person: Person, body: str, *, place: str, photo: bytes, contact: bool = False
) -> str:
    """A report in Astana with a place and a photo; returns the receipt code."""
    await person.command("/report", button="rg:abai")
    await person.press("rg:astana", button="sp:akimat")
    await person.press("sp:akimat", button="wh:week")
    await person.press("wh:week", button="do:skip")
    await person.say(place, button="do:back")
    await person.say(body, button="do:done")
    await person.press("do:done", button="do:skip")
    await person.photo(photo)
    await person.press("do:done", button="do:cyes")
    await person.press("do:cyes" if contact else "do:cno", button="do:submit")
    shown = await person.press("do:submit", expect="-")
    return next(
        code for line in (shown.plain_text or "").splitlines() if (code := receipt.parse(line))
    )


async def test_every_blob_column_is_a_hash_or_is_rotated(services) -> None:
    """A new sealed column must be added to bot.ops.rotation.SEALED (or here, if it is a hash)."""
    listed = {sealed.column.name for sealed in SEALED}
    assert await blob_columns(services.database) - HASH_COLUMNS == listed


async def test_after_rotation_the_old_key_goes_and_the_bot_still_works(
    fake_api: FakeBotAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = fake_api.make_group(title="Astana officers")
    async for live in live_bot(fake_api, tmp_path):
        await live.link("astana", group)
        officer = await live.officer("astana", first_name="OFFICER-NAME")
        reporter = live.person()
        await reporter.command("/start", button="do:new")
        code = await file_report(
            reporter, f"{BODY} FIRST-CASE", place="FIRST-PLACE", photo=FIRST_PHOTO, contact=True
        )
        assert await live.deliver() == 0
        first = await live.services.database.fetchone("SELECT id FROM reports WHERE case_no = 1")
        case = await CasesRepository(live.services.database).get(first["id"])
        assert await live.services.cases.ask(case, 555000111, "QUESTION-TEXT")
        await live.services.cases.add_information(case.id, "NOTE-TEXT")
        await file_report(
            live.person(), f"{BODY} SECOND-CASE", place="SECOND-PLACE", photo=SECOND_PHOTO
        )
        assert await live.services.digests.queue() == 1, "owed to the group, not yet sent"
        drafter = live.person()
        await drafter.command("/report", button="rg:abai")
        await drafter.press("rg:abai", button="sp:akimat")
        await drafter.press("sp:akimat", button="wh:week")
        await drafter.press("wh:week", button="do:skip")
        await drafter.say("DRAFT-PLACE", button="do:back")
        await live.services.broadcasts.create(
            Request(
                Content({"ru": Version("NEWS-AFTER-ROTATION")}),
                Audience(),
                ADMIN_ID,
                ADMIN_ID,
                "ru",
                at=time.time() + 86400,
            )
        )
        old_prefix = prefix_of(OLD_KEY)
        for sealed in SEALED:
            populated = await count_with_prefix(
                live.services.database, sealed.column.name, old_prefix
            )
            assert populated > 0, f"{sealed.column.name} has no value to rotate in this test"
        body_before = bytes(
            (await live.services.database.fetchone("SELECT body FROM reports WHERE case_no = 1"))[0]
        )

    assert await run_rotation(settings_with(tmp_path, f"{NEW_KEY},{OLD_KEY}")) == 0
    printed = capsys.readouterr().out
    assert "reports.body: 2 re-encrypted" in printed
    assert "attachments.data: 2 re-encrypted" in printed
    assert "Verification passed" in printed
    assert await run_rotation(settings_with(tmp_path, f"{NEW_KEY},{OLD_KEY}")) == 0
    assert "reports.body: 0 re-encrypted" in capsys.readouterr().out, "a rerun has nothing to do"

    async for live in live_bot(fake_api, tmp_path, encryption_keys=NEW_KEY):
        database = live.services.database
        for column in await blob_columns(database):
            assert await count_with_prefix(database, column, prefix_of(OLD_KEY)) == 0, column

        await reporter.command(f"/status {code}", expect="№")
        [member] = await live.services.roster.members(None)
        assert (member.person.user_id, member.person.name) == (officer.id, "OFFICER-NAME")

        mark = fake_api.mark()
        assert await live.sender.drain(within=5) == 0
        assert any("SECOND-CASE" in (card.plain_text or "") for card in cards(fake_api, group))
        photos = [m for m in fake_api.messages_in(group) if m.kind == "photo"]
        assert [fake_api.files[p.file_id].data for p in photos] == [FIRST_PHOTO, SECOND_PHOTO]
        question = await fake_api.next_reply(reporter.user, after=mark)
        assert "QUESTION-TEXT" in (question.plain_text or "")

        await drafter.say(f"{BODY} DRAFT-CASE", button="do:done")
        await drafter.press("do:done", button="do:skip")
        await drafter.press("do:skip", button="do:cyes")
        await drafter.press("do:cno", button="do:submit")
        await drafter.press("do:submit", expect="-")
        [exported] = await live.services.stats.export_csv(None, "ru", ADMIN_ID)
        table = exported.data.decode("utf-8-sig")
        assert exported.cases == 3
        for marker in ("FIRST-CASE", "FIRST-PLACE", "SECOND-CASE", "DRAFT-CASE", "DRAFT-PLACE"):
            assert marker in table, marker

        assert await live.services.cases.open_questions(case.id) == [
            (question_id, "QUESTION-TEXT")
            for (question_id,) in await database.fetchall("SELECT id FROM questions")
        ]
        note = await database.fetchone("SELECT id, body FROM report_notes")
        cipher = live.services.cipher
        assert cipher.open_text(note["body"], f"report_notes:{note['id']}:body") == "NOTE-TEXT"

        await database.execute("UPDATE broadcasts SET scheduled_at = 0")
        live.services.broadcasts_changed.set()
        await wait_status(live, 1, BroadcastStatus.DONE)
        news = [
            m for m in fake_api.messages_in(reporter.user) if m.plain_text == "NEWS-AFTER-ROTATION"
        ]
        assert len(news) == 1

        second = await database.fetchone("SELECT id FROM reports WHERE case_no = 2")
        body = bytes((await database.fetchone("SELECT body FROM reports WHERE case_no = 1"))[0])
        assert body[:5] == cipher.prefix != body_before[:5]
        assert "FIRST-CASE" in cipher.open_text(body, f"reports:{case.id}:body")
        for elsewhere in (f"reports:{second['id']}:body", f"reports:{case.id}:place"):
            with pytest.raises(DecryptionError):
                cipher.open_text(body, elsewhere)


async def test_a_rotation_that_dies_half_way_continues_when_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = await submit_reports(settings_with(tmp_path, OLD_KEY), 6)
    rotating = settings_with(tmp_path, f"{NEW_KEY},{OLD_KEY}")
    database = await open_of(rotating)
    try:  # what retention leaves: a number beside the sealed values
        await database.execute("INSERT INTO counters VALUES (?, 99)", (LAST_DELETED_CASE_NO,))
    finally:
        await database.close()
    reseal_batch = RotationRepository.reseal_batch
    batches = 0

    async def dying(self, sealed, prefix, after, reseal):
        nonlocal batches
        batches += 1
        if batches == 6:
            raise RuntimeError("killed")
        return await reseal_batch(self, dataclasses.replace(sealed, batch=1), prefix, after, reseal)

    monkeypatch.setattr(RotationRepository, "reseal_batch", dying)
    with pytest.raises(RuntimeError, match="killed"):
        await run_rotation(rotating)
    monkeypatch.undo()

    database = await open_of(rotating)
    try:
        moved = await count_with_prefix(database, "reports.place", prefix_of(NEW_KEY))
        left = await count_with_prefix(database, "reports.place", prefix_of(OLD_KEY))
    finally:
        await database.close()
    assert (moved, left) == (3, 3), "the batches before the crash were committed, one row each"

    capsys.readouterr()
    assert await run_rotation(rotating) == 0
    printed = capsys.readouterr().out
    assert "reports.place: 3 re-encrypted" in printed and "reports.body: 6 re-encrypted" in printed

    services = await build_services(settings_with(tmp_path, NEW_KEY))
    try:
        for code in codes:
            assert await services.reports.lookup(code) is not None
        [exported] = await services.stats.export_csv(None, "ru", ADMIN_ID)
        table = exported.data.decode("utf-8-sig")
        assert exported.cases == 6 and all(f"place {i}" in table for i in range(6))
    finally:
        await services.close()


async def test_a_value_that_does_not_open_is_left_alone_and_fails_verification(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await submit_reports(settings_with(tmp_path, OLD_KEY), 2)
    database = await open_of(settings_with(tmp_path, OLD_KEY))
    try:
        row = await database.fetchone("SELECT id, body FROM reports ORDER BY case_no LIMIT 1")
        damaged = bytes(row["body"])[:-1] + bytes([row["body"][-1] ^ 1])
        await database.execute("UPDATE reports SET body = ? WHERE id = ?", (damaged, row["id"]))
    finally:
        await database.close()

    assert await run_rotation(settings_with(tmp_path, f"{NEW_KEY},{OLD_KEY}")) == 1
    printed = capsys.readouterr().out
    assert "reports.body: 1 re-encrypted, 1 could not be opened" in printed
    assert "Verification failed: 1 values" in printed
    database = await open_of(settings_with(tmp_path, OLD_KEY))
    try:
        kept = await database.fetchone("SELECT body FROM reports WHERE id = ?", (row["id"],))
    finally:
        await database.close()
    assert bytes(kept[0]) == damaged, "a value that did not open is never overwritten"
