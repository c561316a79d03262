"""PostgreSQL and Redis for the scenarios that run on them: the servers the tests use
(``ADAL_TEST_DATABASE_URL``, ``ADAL_TEST_REDIS_URL``), a fresh database copied from the tests'
migrated template and a key prefix of its own, dropped and deleted afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.support import backends


def missing() -> str | None:
    """Why the scenarios on PostgreSQL and Redis cannot run here, or None."""
    unset = [
        name
        for name, value in (
            (backends.DATABASE_ENV, backends.database_server()),
            (backends.REDIS_ENV, backends.redis_server()),
        )
        if value is None
    ]
    return f"{' and '.join(unset)} unset: no server to run on" if unset else None


@asynccontextmanager
async def shared_servers(workdir: Path) -> AsyncIterator[dict[str, str]]:
    """``DATABASE_URL``, ``REDIS_URL`` and ``REDIS_PREFIX`` of a bot (or replicas) on them."""
    redis = backends.redis_server()
    assert redis is not None and backends.database_server() is not None, missing()
    databases = backends.postgres_databases()
    name, url = await databases.create()
    prefix = "bench-" + backends.redis_prefix()
    try:
        yield {"DATABASE_URL": url, "REDIS_URL": redis, "REDIS_PREFIX": prefix}
    finally:
        await databases.drop(name)
        await backends.dump_and_clear_redis(redis, prefix, workdir / backends.REDIS_DUMP_NAME)


def drop_template() -> None:
    """At the end of ``python -m bench``: the migrated template, if a scenario made it."""
    if backends.DATABASES is not None:
        asyncio.run(backends.DATABASES.drop_template())
