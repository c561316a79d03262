"""What the database holds, read the way tests compare it."""

from __future__ import annotations

import json

from bot.app import Services
from storage.fsm import fsm_aad
from tests.support.harness import snapshot


async def count(services: Services, table: str) -> int:
    return (await services.database.fetchone(f"SELECT count(*) FROM {table}"))[0]


async def database_bytes(services: Services) -> int:
    """What the rows take: SQLite's file, or on PostgreSQL the live rows (its files also keep the
    old versions of updated rows until autovacuum makes their space reusable)."""
    database = services.database
    if database.dialect == "sqlite":
        return await database.size()
    total = 0
    for table in await database.tables():
        row = await database.fetchone(
            f"SELECT coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t"
        )
        total += int(row[0])
    return total


async def content(services: Services) -> dict[str, list[str]]:
    """Every row of every table, with the FSM rows opened and without the time of their last use.

    A press while a report is written records the chat's message ids again: the same ids,
    sealed anew, and the draft's silence clock restarts.
    """
    tables = await snapshot(services)
    rows = await services.database.fetchall("SELECT key, state, data FROM fsm")
    tables["fsm"] = sorted(
        repr((bytes(key).hex(), state, opened(services, bytes(key), sealed)))
        for key, state, sealed in rows
    )
    return tables


def opened(services: Services, key: bytes, sealed: bytes | None) -> object:
    return json.loads(services.cipher.open(sealed, fsm_aad(key))) if sealed else None
