"""The shared backend: a pool of asyncpg connections to PostgreSQL, for one or many replicas."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from functools import lru_cache

import asyncpg  # type: ignore[import-untyped]

from storage.database import Database, Params, Row, Transaction

POOL_SIZE = 10
WRITE_LOCK = 0x41_44_41_4C  # "ADAL": the advisory lock every writing transaction holds
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?")
_WRITES = ("INSERT", "UPDATE", "DELETE")
_BEGIN = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"
_BEGIN_DURABLE = f"{_BEGIN}; SET LOCAL synchronous_commit TO on"
SESSION = {"synchronous_commit": "off"}
"""A commit not asked to be durable does not wait for the WAL flush, as SQLite's
``synchronous=NORMAL``: a crash of the server may lose the last moments of such commits, never a
half of one; a durable transaction (a submitted report) waits for the disk."""


@lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1``, ``$2``…, leaving quoted literals alone."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() != "?":
            return match.group()
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def rows_changed(status: str) -> int:
    """The row count of a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _PostgresTransaction(Transaction):
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._conn = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        return rows_changed(await self._conn.execute(numbered(sql), *params))

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(numbered(sql), rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.fetch(numbered(sql), *params))


class PostgresDatabase(Database):
    """Every writing transaction first takes one advisory lock, so that writes are serial across
    replicas exactly as they are in SQLite (a read then a write in one transaction sees no other
    writer in between); reads run beside them, on their own connections of the pool."""

    dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=POOL_SIZE, server_settings=SESSION
        )
        return cls(pool)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[Transaction]:
        """BEGIN, the write lock and, when durable, the commit's wait for the disk, in one
        round trip."""
        async with self._pool.acquire() as connection:
            await connection.execute(_BEGIN_DURABLE if durable else _BEGIN)
            try:
                yield _PostgresTransaction(connection)
            except BaseException:
                if not connection.is_closed():
                    await connection.execute("ROLLBACK")
                raise
            await connection.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self.transaction() as transaction:
            return await transaction.execute(sql, params)

    async def write_own_row(self, sql: str, params: Params = ()) -> int:
        async with self._pool.acquire() as connection:
            return rows_changed(await connection.execute(numbered(sql), *params))

    async def execute_outside_transaction(self, sql: str) -> None:
        async with self._pool.acquire() as connection:
            await connection.execute(sql)

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
        return [row[0] for row in rows]

    async def size(self) -> int:
        row = await self.fetchone("SELECT pg_database_size(current_database())")
        return int(row[0]) if row else 0

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        if sql.lstrip()[:6].upper() in _WRITES:
            async with self.transaction() as transaction:
                return await transaction.fetchall(sql, params)
        async with self._pool.acquire() as connection:
            return list(await connection.fetch(numbered(sql), *params))
