"""The embedded backend: one aiosqlite connection, serialised by a lock so that handlers never
share a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from storage.database import Database, Params, Row, Transaction

PRAGMAS = (
    "journal_mode=WAL",
    "synchronous=NORMAL",
    "foreign_keys=ON",
    "secure_delete=ON",
    "busy_timeout=5000",
)


def _greatest(*values: object) -> object:
    """PostgreSQL's ``greatest``: the largest value that is not NULL."""
    present = [value for value in values if value is not None]
    return max(present) if present else None  # type: ignore[type-var]


class _SqliteTransaction(Transaction):
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()
        self._statements = _SqliteTransaction(connection)

    @classmethod
    async def connect(cls, path: Path) -> SqliteDatabase:
        connection = await aiosqlite.connect(path, isolation_level=None)
        try:
            connection.row_factory = aiosqlite.Row
            for pragma in PRAGMAS:
                await connection.execute(f"PRAGMA {pragma}")
            await connection.create_function("greatest", -1, _greatest, deterministic=True)
        except BaseException:
            await connection.close()  # its thread would keep the process alive
            raise
        return cls(connection)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[Transaction]:
        """BEGIN IMMEDIATE … COMMIT; ``durable`` fsyncs the commit (synchronous=FULL)."""
        async with self._lock:
            if durable:
                await self._conn.execute("PRAGMA synchronous=FULL")
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._statements
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()
            finally:
                if durable:
                    await self._conn.execute("PRAGMA synchronous=NORMAL")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """The connection is in autocommit mode: a lone statement is a transaction by itself, one
        trip to aiosqlite's thread instead of three with BEGIN and COMMIT (bench/RESULTS.md)."""
        async with self._lock:
            return await self._statements.execute(sql, params)

    async def execute_outside_transaction(self, sql: str) -> None:
        async with self._lock:
            await self._conn.execute(sql)

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
        return [row[0] for row in rows]

    async def size(self) -> int:
        row = await self.fetchone(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        )
        return int(row[0]) if row else 0

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        # One trip to aiosqlite's thread, not three (execute, fetch, close): each costs the
        # event loop about 0.1 ms of CPU, and a dialog step makes dozens (bench/RESULTS.md).
        async with self._lock:
            return await self._statements.fetchall(sql, params)
