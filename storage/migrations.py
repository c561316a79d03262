"""The schema, brought up to date at start by Alembic (revisions in ``storage/schema/versions``).

One set of revisions serves SQLite and PostgreSQL. Files made before Adal used Alembic recorded
their version in ``PRAGMA user_version``: version N is revision N, stamped before upgrading.
Replicas starting together on PostgreSQL take turns through an advisory lock.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from storage.database import Database

logger = logging.getLogger(__name__)
SCRIPTS = Path(__file__).parent / "schema"
LAST_LEGACY_VERSION = 8
MIGRATION_LOCK = 0x41_44_41_4D  # "ADAM"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision this code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None  # noqa: S101 - the revisions ship with the code
    return revision


def _upgrade(connection: sa.Connection) -> None:
    config = _config(connection)
    current = MigrationContext.configure(connection).get_current_revision()
    if current is None and connection.dialect.name == "sqlite":
        legacy = connection.exec_driver_sql("PRAGMA user_version").scalar() or 0
        if legacy > LAST_LEGACY_VERSION:
            raise RuntimeError(f"the database file is at an unknown schema version {legacy}")
        if legacy:
            current = f"{legacy:04d}"
            command.stamp(config, current)
    if current is not None:
        try:
            ScriptDirectory.from_config(config).get_revision(current)
        except CommandError:
            raise RuntimeError(
                f"the database is at schema revision {current}, newer than this code "
                f"({head()}); update Adal before starting it"
            ) from None
    if current != head():
        logger.info("Database schema: revision %s, upgrading to %s", current or "none", head())
    command.upgrade(config, "head")


async def migrate(url: str) -> None:
    """Apply the revisions the database at ``url`` (an SQLAlchemy URL) lacks, in one transaction."""
    engine = create_async_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        # The driver's own transaction handling would commit before each DDL statement.
        event.listen(engine.sync_engine, "connect", _sqlite_autocommit)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    try:
        async with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                await connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": MIGRATION_LOCK}
                )
            await connection.run_sync(_upgrade)
    finally:
        await engine.dispose()


def _sqlite_autocommit(dbapi_connection: object, _record: object) -> None:
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]


def _sqlite_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


async def schema_is_current(database: Database) -> bool:
    """Whether every revision this code knows is applied (a readiness probe's question)."""
    row = await database.fetchone("SELECT version_num FROM alembic_version")
    return row is not None and row[0] == head()
