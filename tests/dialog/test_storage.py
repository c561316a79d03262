from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.app import Services, build_services
from bot.security.crypto import Cipher, Pseudonyms
from bot.settings import ConfigError, Settings
from storage.backends import DatabaseUnavailable, open_database
from storage.database import Database
from storage.fsm import SealedStorage, rows_of_one_update
from storage.migrations import head
from storage.times import HOUR
from tests.support.harness import Citizen
from tests.support.legacy_schema import make_legacy_database

pytestmark = pytest.mark.sqlite_only  # the file, its pragmas and schema versions
KEY = StorageKey(bot_id=42, chat_id=777000111, user_id=777000111)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def open_storage(path: Path, clock: Clock) -> tuple[Database, SealedStorage]:
    database = await open_database(url=None, path=path)
    storage = SealedStorage(
        database=database,
        sealer=Cipher([bytes(32)]),
        hasher=Pseudonyms(bytes(32)),
        ttl_seconds=3600,
        clock=clock,
    )
    return database, storage


async def test_schema_is_versioned_and_migration_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    database = await open_database(url=None, path=path)
    await database.close()
    database = await open_database(url=None, path=path)
    row = await database.fetchone("SELECT version_num FROM alembic_version")
    assert row[0] == head()
    for pragma, expected in (("journal_mode", "wal"), ("foreign_keys", 1), ("secure_delete", 1)):
        value = (await database.fetchone(f"PRAGMA {pragma}"))[0]
        assert value == expected, pragma
    await database.close()


@pytest.mark.parametrize("version", [1, 4, 8])
async def test_a_file_from_before_alembic_is_adopted_at_its_version(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "db.sqlite3"
    make_legacy_database(path, version)
    with closing(sqlite3.connect(path)) as legacy:
        legacy.execute("INSERT INTO meta VALUES ('last_deleted_case_no', 99)")
        legacy.commit()
    database = await open_database(url=None, path=path)
    try:
        row = await database.fetchone("SELECT version_num FROM alembic_version")
        assert row[0] == head()
        tables = {
            row[0]
            for row in await database.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        assert {"reports", "officers", "close_undo", "counters"} <= tables
        moved = await database.fetchone("SELECT value FROM counters")
        assert moved[0] == 99, "the last deleted case number is kept as a number"
        assert await database.fetchone("SELECT 1 FROM meta") is None
    finally:
        await database.close()


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    database = await open_database(url=None, path=path)
    await database.execute("UPDATE alembic_version SET version_num = '9999'")
    await database.close()
    with pytest.raises(RuntimeError, match="9999, newer than this code"):
        await open_database(url=None, path=path)


async def test_a_damaged_file_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"not a database, only bytes " * 100)
    with pytest.raises(DatabaseUnavailable, match="not a database"):
        await open_database(url=None, path=path)


async def test_fsm_round_trip_survives_reopening_and_is_sealed(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "db.sqlite3"
    database, storage = await open_storage(path, clock)
    await storage.set_state(KEY, "ReportForm:body")
    await storage.set_data(KEY, {"body": ["MARKER-IN-DRAFT"], "region": "abai"})
    await database.close()

    database, storage = await open_storage(path, clock)
    assert await storage.get_state(KEY) == "ReportForm:body"
    assert await storage.get_data(KEY) == {"body": ["MARKER-IN-DRAFT"], "region": "abai"}
    raw = b"".join(
        path.parent.joinpath(name).read_bytes()
        for name in (path.name, path.name + "-wal")
        if path.parent.joinpath(name).exists()
    )
    assert b"MARKER-IN-DRAFT" not in raw
    assert b"777000111" not in raw
    await database.close()


async def test_fsm_drafts_expire_after_silence(tmp_path: Path) -> None:
    clock = Clock()
    database, storage = await open_storage(tmp_path / "db.sqlite3", clock)
    await storage.set_state(KEY, "ReportForm:body")
    await storage.set_data(KEY, {"body": ["x"]})
    clock.now += 3599
    assert await storage.get_state(KEY) == "ReportForm:body"
    clock.now += HOUR + 2  # times are kept to the hour: expiry may come up to an hour later
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {}
    assert await storage.purge_expired() == 1
    await database.close()


async def test_clearing_the_state_removes_the_row(tmp_path: Path) -> None:
    database, storage = await open_storage(tmp_path / "db.sqlite3", Clock())
    await storage.set_state(KEY, "x")
    await storage.set_data(KEY, {"a": 1})
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert (await database.fetchone("SELECT count(*) FROM fsm"))[0] == 0
    await database.close()


def count_fsm_reads(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    fetchone = database.fetchone

    async def counted(sql: str, *args: object) -> object:
        if "FROM fsm WHERE key" in sql:
            reads.append(sql)
        return await fetchone(sql, *args)

    monkeypatch.setattr(database, "fetchone", counted)
    return reads


async def test_one_update_reads_each_row_once_and_sees_its_own_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, storage = await open_storage(tmp_path / "db.sqlite3", Clock())
    await storage.set_data(KEY, {"a": 1})
    reads = count_fsm_reads(database, monkeypatch)
    with rows_of_one_update():
        assert await storage.get_data(KEY) == {"a": 1}
        await storage.set_state(KEY, "ReportForm:body")
        await storage.set_data(KEY, {"a": 2})
        assert await storage.get_state(KEY) == "ReportForm:body"
        assert await storage.get_data(KEY) == {"a": 2}
        await storage.set_state(KEY, None)
        await storage.set_data(KEY, {})
        assert await storage.get_data(KEY) == {}
    assert len(reads) == 1
    assert (await database.fetchone("SELECT count(*) FROM fsm"))[0] == 0

    await storage.set_data(KEY, {"b": 1})
    with rows_of_one_update():
        assert await storage.get_data(KEY) == {"b": 1}
    await database.execute("DELETE FROM fsm")
    with rows_of_one_update():
        assert await storage.get_data(KEY) == {}, "nothing is remembered from the last update"
    assert len(reads) == 4
    await database.close()


async def test_a_dialog_update_reads_each_fsm_row_once(
    services: Services, citizen: Citizen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft's row and the chat trail's row: two reads, not the eight before the scope."""
    await citizen.say("/report")
    reads = count_fsm_reads(services.database, monkeypatch)
    for step in (citizen.press("rg:abai"), citizen.say("/status"), citizen.press("sp:police")):
        await step
        assert len(reads) == 2, reads
        reads.clear()


async def test_wrong_keys_for_an_existing_database_is_a_clear_error(
    services: Services, settings: Settings
) -> None:
    other = settings.model_copy(update={"encryption_keys": (bytes(range(2, 34)),)})
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS"):
        await build_services(other)
