"""What repositories talk to: one database, SQLite or PostgreSQL, behind the same few calls.

Repositories write one SQL text for both, with ``?`` placeholders; where the two dialects differ
(a handful of statements) they ask :attr:`Database.dialect`. Every transaction behaves as SQLite's
``BEGIN IMMEDIATE``: one writer at a time, so a read followed by a write in the same transaction
sees no other writer in between, on one process or on several replicas.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence, Sized
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol

Params = Sequence[Any]
Dialect = Literal["sqlite", "postgresql"]


def one_of(column: str, values: Sized) -> str:
    """``column IN (?, …)`` for ``values``; for none, a condition no row meets (PostgreSQL has
    no empty ``IN ()``)."""
    return f"{column} IN ({', '.join('?' * len(values))})" if len(values) else "FALSE"


def none_of(column: str, values: Sized) -> str:
    """``column NOT IN (?, …)``; for no values, a condition every row meets."""
    return f"{column} NOT IN ({', '.join('?' * len(values))})" if len(values) else "TRUE"


class Row(Protocol):
    """A result row, by position or by column name (``sqlite3.Row``, ``asyncpg.Record``)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...

    def keys(self) -> Iterable[str]: ...


class Statements(ABC):
    """The calls a transaction and the database itself both answer."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns the number of rows it changed."""

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """For queries of one row at most (a key, an aggregate, ``LIMIT 1``)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


class Transaction(Statements):
    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...


class Database(Statements):
    """Outside a transaction each statement is a transaction by itself."""

    dialect: Dialect

    async def write_own_row(self, sql: str, params: Params = ()) -> int:
        """One statement on a row that only the current update's user touches (their draft,
        their language), which no transaction reads before writing: it need not wait for the
        other writers (PostgreSQL: no write lock). Returns the number of rows changed."""
        return await self.execute(sql, params)

    @abstractmethod
    def transaction(self, *, durable: bool = False) -> AbstractAsyncContextManager[Transaction]:
        """Statements committed together, or not at all; ``durable``: on disk before it returns
        (SQLite's default sync level is relaxed for speed, PostgreSQL's commit always is)."""

    @abstractmethod
    async def execute_outside_transaction(self, sql: str) -> None:
        """For the statements no transaction may hold (``VACUUM``)."""

    @abstractmethod
    async def tables(self) -> list[str]:
        """The names of the tables, Alembic's own included, in name order."""

    @abstractmethod
    async def size(self) -> int:
        """Bytes the database takes (SQLite: the main file, without its WAL)."""

    @abstractmethod
    async def close(self) -> None: ...
