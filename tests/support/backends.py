"""The database and Redis of each test's bot: SQLite in its DATA_DIR, or in the PostgreSQL pass a
database of its own on the server at ``ADAL_TEST_DATABASE_URL``.

Each PostgreSQL test database is a copy of a template migrated once per run, so a test starts
with the schema in a few milliseconds. When the test ends its tables are copied, raw (binary
COPY), into a file under the test's temporary directory, where the leak grep of
``tests/live/test_leaks.py`` reads them with every other file the suite left, and the database is
dropped.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import asyncpg
from redis.asyncio import Redis

from storage.migrations import migrate

DATABASE_ENV = "ADAL_TEST_DATABASE_URL"
REDIS_ENV = "ADAL_TEST_REDIS_URL"
DUMP_NAME = "postgres-dump.bin"
REDIS_DUMP_NAME = "redis-keys.bin"
_PREFIX = "adal_t"
SQLALCHEMY_SCHEME = "postgresql+asyncpg://"


def required() -> bool:
    """In CI a missing server is a failure, not a skip."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def database_server() -> str | None:
    return os.environ.get(DATABASE_ENV) or None


def redis_server() -> str | None:
    return os.environ.get(REDIS_ENV) or None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sqlalchemy(url: str) -> str:
    return SQLALCHEMY_SCHEME + url.split("://", 1)[1]


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


class PostgresDatabases:
    """Databases named ``adal_t_<pid>_<n>`` on one server, for one pytest process."""

    def __init__(self, server: str) -> None:
        self.server = server
        self._pid = os.getpid()
        self._numbers = itertools.count(1)
        self._template: str | None = None

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.server)

    async def _prepare(self, admin: asyncpg.Connection) -> str:
        """The template, made on first use; databases left by runs that died are dropped."""
        if self._template is None:
            for (name,) in await admin.fetch(
                "SELECT datname FROM pg_database WHERE datname LIKE $1", f"{_PREFIX}_%"
            ):
                pid = int(name.split("_")[2])
                if pid == self._pid or not _alive(pid):
                    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            template = f"{_PREFIX}_{self._pid}_template"
            await admin.execute(f'CREATE DATABASE "{template}"')
            await migrate(
                _with_database(SQLALCHEMY_SCHEME + self.server.split("://", 1)[1], template)
            )
            self._template = template
        return self._template

    async def create(self) -> tuple[str, str]:
        """A fresh database with the current schema: its name and URL."""
        admin = await self._admin()
        try:
            template = await self._prepare(admin)
            name = f"{_PREFIX}_{self._pid}_{next(self._numbers)}"
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await admin.close()
        return name, _with_database(self.server, name)

    async def dump_and_drop(self, name: str, into: Path) -> None:
        connection = await asyncpg.connect(_with_database(self.server, name))
        try:
            tables = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            with into.open("wb") as dump:
                for (table,) in tables:
                    dump.write(f"\n-- {table}\n".encode())
                    await connection.copy_from_table(table, output=dump, format="binary")
        finally:
            await connection.close()
        await self.drop(name)

    async def drop(self, name: str) -> None:
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        finally:
            await admin.close()

    async def drop_template(self) -> None:
        if self._template is None:
            return
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
        finally:
            await admin.close()


CURRENT: dict[str, str] = {}
"""The settings the running test's bot takes beside its own (``database_url``, ``redis_url``,
``redis_prefix``)."""
_REDIS_PREFIXES = itertools.count(1)


def redis_prefix() -> str:
    """Keys of one test, apart from any other run's on the same server."""
    return f"test-{os.getpid()}-{next(_REDIS_PREFIXES)}:"


async def dump_and_clear_redis(url: str, prefix: str, into: Path) -> int:
    """Every key under ``prefix`` and its value, written to ``into`` for the leak grep, then
    deleted; returns how many there were."""
    client = Redis.from_url(url)
    keys = 0
    try:
        with into.open("wb") as dump:
            async for key in client.scan_iter(match=f"{prefix}*"):
                kind = await client.type(key)
                if kind == b"string":
                    value = await client.get(key) or b""
                elif kind == b"hash":
                    value = b" ".join(
                        part for pair in (await client.hgetall(key)).items() for part in pair
                    )
                else:
                    value = await client.dump(key) or b""
                dump.write(key + b" " + value + b"\n")
                await client.delete(key)
                keys += 1
    finally:
        await client.aclose()
    return keys


def overrides() -> dict[str, str]:
    return dict(CURRENT)


DATABASES: PostgresDatabases | None = None


def postgres_databases() -> PostgresDatabases:
    """This run's databases on the server of ``ADAL_TEST_DATABASE_URL``."""
    global DATABASES
    server = database_server()
    assert server is not None
    if DATABASES is None:
        DATABASES = PostgresDatabases(server)
    return DATABASES
