"""Opening the database the settings name: PostgreSQL at a URL, or SQLite in a file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.exc import SQLAlchemyError

from storage.database import Database
from storage.migrations import migrate
from storage.postgres import PostgresDatabase
from storage.sqlite import SqliteDatabase

DRIVER_ERRORS = (sqlite3.DatabaseError, asyncpg.PostgresError, SQLAlchemyError, OSError)
"""What a database that is damaged, unreachable or refusing raises, by driver."""


UNREACHABLE: tuple[type[Exception], ...] = (
    ConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
)
"""What a database that stopped answering raises mid-update (PostgreSQL: the connection was lost,
the server is restarting or shutting down): the update can be handled again later."""


class DatabaseUnavailable(Exception):
    """The database cannot be opened or brought up to date; the message says why."""


async def open_database(*, url: str | None, path: Path) -> Database:
    """Bring the schema up to date, then connect; ``url`` None means the SQLite file ``path``."""
    try:
        return await _open(url, path)
    except DRIVER_ERRORS as exc:
        cause = getattr(exc, "orig", None) or exc
        raise DatabaseUnavailable(" ".join(str(cause).split()) or type(cause).__name__) from exc


async def _open(url: str | None, path: Path) -> Database:
    if url:
        await migrate("postgresql+asyncpg://" + url.split("://", 1)[1])
        return await PostgresDatabase.connect(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    await migrate(f"sqlite+aiosqlite:///{path}")
    return await SqliteDatabase.connect(path)
