"""One aiosqlite connection, serialised by a lock so that handlers never share a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.migrations import migrate

Params = Iterable[Any] | dict[str, Any]


class Database:
    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._conn = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = aiosqlite.Row
        database = cls(connection)
        try:
            for pragma in (
                "journal_mode=WAL",
                "synchronous=NORMAL",
                "foreign_keys=ON",
                "secure_delete=ON",
                "busy_timeout=5000",
            ):
                await connection.execute(f"PRAGMA {pragma}")
            await migrate(database)
        except BaseException:
            await connection.close()  # its thread would keep the process alive
            raise
        return database

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def transaction(self, *, durable: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT; ``durable`` fsyncs the commit (synchronous=FULL)."""
        async with self._lock:
            if durable:
                await self._conn.execute("PRAGMA synchronous=FULL")
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                await self._conn.commit()
            finally:
                if durable:
                    await self._conn.execute("PRAGMA synchronous=NORMAL")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own transaction; returns the number of changed rows.

        The connection is in autocommit mode: a lone statement is a transaction by itself, one
        trip to aiosqlite's thread instead of three with BEGIN and COMMIT (bench/RESULTS.md).
        """
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """For queries of one row at most (a key, an aggregate, ``LIMIT 1``)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        # One trip to aiosqlite's thread, not three (execute, fetch, close): each costs the
        # event loop about 0.1 ms of CPU, and a dialog step makes dozens (bench/RESULTS.md).
        async with self._lock:
            return list(await self._conn.execute_fetchall(sql, params))
