"""With ``REDIS_URL`` set and Redis not answering, or PostgreSQL gone, a replica takes no update
and says it is not ready: Telegram posts the update again later, the load balancer sends it
elsewhere. Nothing falls back to this process's own state (docs/architecture.md, "Replicas")."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.app import Services, build_services, create_dispatcher
from bot.app.webhook import SECRET_HEADER, create_web_app
from bot.settings import Settings
from storage.migrations import schema_is_current
from tests.support import backends
from tests.support.live import free_port, private_message
from tests.support.mocked import mocked_bot

SECRET = "unit-secret"
UPDATE = private_message("/start", 777000111)


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    down = settings.model_copy(update={"redis_url": SecretStr("redis://127.0.0.1:1/0")})
    built = await build_services(down)
    yield built
    await built.close()


async def test_while_redis_is_down_updates_fail_and_the_replica_is_not_ready(
    services: Services,
) -> None:
    await post_while_down(services, services.shared.reachable)


@pytest.mark.sqlite_only  # makes its own PostgreSQL database
async def test_while_postgresql_is_gone_updates_fail_and_the_replica_is_not_ready(
    settings: Settings, tmp_path: Path
) -> None:
    if backends.database_server() is None:
        pytest.skip(f"{backends.DATABASE_ENV} is unset: no PostgreSQL server")
    databases = backends.postgres_databases()
    name, url = await databases.create()
    built = await build_services(settings.model_copy(update={"database_url": SecretStr(url)}))
    try:
        await built.database.close()  # as a lost server: every statement fails

        async def ready() -> bool:
            return await schema_is_current(built.database)

        await post_while_down(built, ready)
    finally:
        await built.shared.close()
        await databases.dump_and_drop(name, tmp_path / backends.DUMP_NAME)


async def post_while_down(services: Services, ready: Callable[[], Awaitable[bool]]) -> None:
    bot = mocked_bot()
    app = create_web_app(create_dispatcher(services), bot, path="/hook", secret=SECRET, ready=ready)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession() as session:
            posted = await session.post(
                f"http://127.0.0.1:{port}/hook", json=UPDATE, headers={SECRET_HEADER: SECRET}
            )
            assert posted.status == 500, "not 200: Telegram posts it again"
            probed = await session.get(f"http://127.0.0.1:{port}/readyz")
            assert probed.status == 503
    finally:
        await runner.cleanup()
        await bot.session.close()
    assert not bot.session.requests, "nothing was answered"
