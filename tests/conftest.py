from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Chat, User

from bot.app import Services, build_services, create_dispatcher
from bot.settings import Settings, load_settings
from tests.support import backends, leaks
from tests.support.harness import Citizen
from tests.support.mocked import mocked_bot

TEST_KEY = base64.b64encode(bytes(range(32))).decode()
pytest_plugins = ["tests.fakeapi.fixtures"]
TESTS = Path(__file__).parent
TIERS = ("unit", "dialog", "live", "web", "e2e")
BOTH_BACKENDS = ("dialog", "live", "web")
BACKEND_NOTES: list[str] = []
DATABASE_FIXTURES = frozenset({"settings", "fake_api"})
"""A test that asks for neither runs no bot and opens no database: one pass is enough."""
ONE_BACKEND_MARKERS = ("sqlite_only", "browser", "last")
"""Tests that run in the SQLite pass only, whatever they ask for."""


def pytest_configure(config: pytest.Config) -> None:
    if backends.required() and None in (backends.database_server(), backends.redis_server()):
        raise pytest.UsageError(
            f"CI runs the suite on PostgreSQL and Redis too: set {backends.DATABASE_ENV} "
            f"(postgresql://postgres@127.0.0.1:5432/test) and {backends.REDIS_ENV} "
            "(redis://127.0.0.1:6379/0)"
        )


def pytest_report_header() -> str:
    server = backends.database_server()
    if server is None:
        return (
            f"backends: SQLite only; the PostgreSQL pass is SKIPPED ({backends.DATABASE_ENV} "
            "is not set)"
        )
    redis = "and Redis " if backends.redis_server() else "(Redis SKIPPED: no ADAL_TEST_REDIS_URL) "
    return f"backends: SQLite, and PostgreSQL {redis}for the dialog and live tiers"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for note in BACKEND_NOTES:
        terminalreporter.write_line(f"PostgreSQL pass: {note}")
    if backends.database_server() is None:
        terminalreporter.write_line(
            f"SKIPPED: the PostgreSQL pass of the dialog and live tiers ({backends.DATABASE_ENV} "
            "is not set); this run tested SQLite only",
            yellow=True,
        )


def pytest_sessionfinish() -> None:
    if backends.DATABASES is not None:
        asyncio.run(backends.DATABASES.drop_template())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """In the PostgreSQL pass, each test of the dialog, live and web tiers with a bot or a
    database runs once per backend, except those about SQLite itself (marked ``sqlite_only``),
    the workspace's pages in a browser (marked ``browser``: they check the page, which the API
    tests check on both backends) and the leak grep."""
    definition = metafunc.definition
    if (
        backends.database_server() is not None
        and _tier(definition) in BOTH_BACKENDS
        and not DATABASE_FIXTURES.isdisjoint(metafunc.fixturenames)
        and all(definition.get_closest_marker(name) is None for name in ONE_BACKEND_MARKERS)
    ):
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture(autouse=True)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The database the test's bot uses (``tests/support/backends.py``)."""
    name = getattr(request, "param", "sqlite")
    if name == "sqlite":
        yield name
        return
    databases = backends.postgres_databases()
    database, url = asyncio.run(databases.create())
    backends.CURRENT["database_url"] = url
    redis = backends.redis_server()
    if redis is not None:
        backends.CURRENT.update(redis_url=redis, redis_prefix=backends.redis_prefix())
    try:
        yield name
    finally:
        prefix = backends.CURRENT.get("redis_prefix")
        backends.CURRENT.clear()
        dumps = tmp_path_factory.mktemp("postgres")
        asyncio.run(databases.dump_and_drop(database, dumps / backends.DUMP_NAME))
        if redis is not None and prefix is not None:
            asyncio.run(
                backends.dump_and_clear_redis(redis, prefix, dumps / backends.REDIS_DUMP_NAME)
            )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test with its tier, the directory it is in; run the fast tiers first and the
    tests marked ``last`` after all others, whatever was selected and in whatever order.

    On PostgreSQL a test with several parameter sets runs with its first only: the others differ
    in their input (a language, a text, a file type), which the SQLite pass checks, not in what
    reaches the database.
    """
    for item in items:
        if any(mark.name in TIERS for mark in item.iter_markers()):
            raise pytest.UsageError(f"{item.nodeid}: its directory gives its tier, not a marker")
        item.add_marker(_tier(item))
    first: set[tuple[str, str]] = set()
    variants = []
    for item in items:
        if getattr(getattr(item, "callspec", None), "params", {}).get("backend") != "postgresql":
            continue
        function = (str(item.path), item.originalname)  # type: ignore[attr-defined]
        if function in first:
            variants.append(item)
        first.add(function)
    if variants:
        config.hook.pytest_deselected(items=variants)
        left_out = set(variants)
        items[:] = [item for item in items if item not in left_out]
        BACKEND_NOTES.append(
            f"{len(variants)} further parameter sets of its tests left to the SQLite pass"
        )
    items.sort(key=lambda item: (bool(item.get_closest_marker("last")), TIERS.index(_tier(item))))


def _tier(item: pytest.Item) -> str:
    parts = item.path.relative_to(TESTS).parts if item.path.is_relative_to(TESTS) else ()
    if not parts or parts[0] not in TIERS:
        raise pytest.UsageError(f"{item.nodeid}: a test belongs in tests/{{{','.join(TIERS)}}}/")
    return parts[0]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        bot_token="42:TEST",
        data_dir=tmp_path / "data",
        encryption_keys=TEST_KEY,
        key_file=tmp_path / "secrets" / "adal.key",
        _env_file=None,
        **backends.overrides(),
    )


@pytest.fixture
def redis_url() -> str:
    """ADAL_TEST_REDIS_URL: the Redis server of the replicas' tests, which skip without it,
    except in CI."""
    url = backends.redis_server()
    if url is None:
        pytest.skip(f"{backends.REDIS_ENV} is unset: no Redis server to test the replicas against")
    return url


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    built = await build_services(settings)
    yield built
    await built.close()


@pytest.fixture
def bot() -> Bot:
    return mocked_bot()


@pytest.fixture
def dispatcher(services: Services) -> Dispatcher:
    return create_dispatcher(services)


@pytest.fixture
def citizen_factory(dispatcher: Dispatcher, bot: Bot) -> Callable[..., Citizen]:
    def make(
        user_id: int = 777000111,
        language_code: str | None = "ru",
        chat: Chat | None = None,
    ) -> Citizen:
        user = User(
            id=user_id,
            is_bot=False,
            first_name="Айгерим",
            last_name="Секретова",
            username="aigerim_secret",
            language_code=language_code,
        )
        return Citizen(dispatcher, bot, user, chat)

    return make


@pytest.fixture
def citizen(citizen_factory: Callable[..., Citizen]) -> Citizen:
    return citizen_factory()


@pytest.fixture(autouse=True)
def _gather_secrets(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test with a fake Bot API: remember what must never leak (support/leaks.py)."""
    yield
    api = request.node.funcargs.get("fake_api")
    if api is not None:
        leaks.gather(api)
