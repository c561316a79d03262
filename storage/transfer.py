"""Copying an SQLite installation into an empty PostgreSQL database, byte for byte.

Every table is copied in the order its foreign keys need, in one PostgreSQL transaction (a
failure leaves the target as empty as it was), then the sequences are moved past the copied ids
and each table's rows are counted on both sides.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg  # type: ignore[import-untyped]

from storage.postgres import WRITE_LOCK

BATCH = 500
SKIPPED = frozenset({"alembic_version"})
"""Made by the migrations on each side."""
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "bigint": int,
    "integer": int,
    "double precision": float,
    "bytea": bytes,
    "text": str,
}


class TransferRefused(Exception):
    """The target is not empty, or the copy does not match its source."""


async def _order(source: aiosqlite.Connection) -> list[str]:
    """The tables, each after the tables its foreign keys point to."""
    rows = await source.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    names = [row[0] for row in rows if row[0] not in SKIPPED]
    parents = {
        name: {
            row[2]
            for row in await source.execute_fetchall(f"PRAGMA foreign_key_list({name})")
            if row[2] != name
        }
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ordered += [name for name in names if name not in ordered and parents[name] <= set(ordered)]
    return ordered


async def _target_types(target: asyncpg.Connection, table: str) -> dict[str, str]:
    rows = await target.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = $1",
        table,
    )
    return {row["column_name"]: row["data_type"] for row in rows}


def _converter(data_type: str) -> Callable[[Any], Any]:
    convert = _CONVERT[data_type]
    return lambda value: None if value is None else convert(value)


async def _copy_table(source: aiosqlite.Connection, target: asyncpg.Connection, table: str) -> int:
    types = await _target_types(target, table)
    cursor = await source.execute(f"SELECT * FROM {table}")  # noqa: S608 - the schema's names
    columns = [column[0] for column in cursor.description]
    converters = [_converter(types[column]) for column in columns]
    placeholders = ", ".join(f"${number}" for number in range(1, len(columns) + 1))
    insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    copied = 0
    try:
        while rows := list(await cursor.fetchmany(BATCH)):
            await target.executemany(
                insert,
                [
                    [convert(value) for convert, value in zip(converters, row, strict=True)]
                    for row in rows
                ],
            )
            copied += len(rows)
    finally:
        await cursor.close()
    return copied


async def _move_sequences(target: asyncpg.Connection) -> None:
    """Serial ids continue after the highest copied one."""
    serials = await target.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'"
    )
    for table, column in serials:
        await target.execute(
            f"SELECT setval(pg_get_serial_sequence($1, $2), "  # noqa: S608
            f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)",
            table,
            column,
        )


async def copy_to_postgres(
    source_path: Path, target_url: str, report: Callable[[str, int], None]
) -> dict[str, int]:
    """Copy every row of the SQLite file into the PostgreSQL database, both at the same schema
    revision; ``report`` is told each table's count as it is done. Returns the counts."""
    source = await aiosqlite.connect(source_path, isolation_level=None)
    try:
        await source.execute("BEGIN")  # one snapshot of every table, whatever writes meanwhile
        target = await asyncpg.connect(target_url)
        try:
            return await _copy(source, target, report)
        finally:
            await target.close()
    finally:
        await source.close()


async def _copy(
    source: aiosqlite.Connection, target: asyncpg.Connection, report: Callable[[str, int], None]
) -> dict[str, int]:
    tables = await _order(source)
    counts: dict[str, int] = {}
    async with target.transaction():
        await target.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
        for table in tables:
            if await target.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):  # noqa: S608
                raise TransferRefused(f"the PostgreSQL database is not empty: {table} has rows")
        for table in tables:
            counts[table] = await _copy_table(source, target, table)
            report(table, counts[table])
        await _move_sequences(target)
        for table in tables:
            copied = await target.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
            if copied != counts[table]:
                raise TransferRefused(
                    f"{table}: {counts[table]} rows in SQLite but {copied} in PostgreSQL"
                )
    return counts
