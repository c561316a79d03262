"""The state the replicas share in Redis (bot/replicas), against a real Redis server: two
instances of each piece stand for two replicas. Every key a test makes starts with a prefix of
its own, deleted afterwards."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.fsm.storage.base import StorageKey
from pydantic import SecretStr
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.app import Services, build_services
from bot.app.shared import connect_redis, in_redis
from bot.replicas.isolation import RedisEventIsolation
from bot.replicas.leadership import Lease, fenced
from bot.replicas.quota import RedisDailyQuota
from bot.replicas.throttle import RedisTokenBuckets
from bot.security.crypto import Pseudonyms
from bot.settings import Settings
from bot.telegram.throttle import Rate, Verdict
from tests.support.dialog import fill_report, receipt_code
from tests.support.harness import Citizen
from tests.support.mocked import BOT_ID

ALLOW, WARN, DROP = Verdict.ALLOW, Verdict.WARN, Verdict.DROP
PSEUDONYMS = Pseudonyms(bytes(range(32)))
USER_ID = 777000111
KEY = StorageKey(bot_id=BOT_ID, chat_id=USER_ID, user_id=USER_ID)

Replica = Callable[[], Awaitable[Redis]]


@pytest.fixture
def prefix() -> str:
    return f"test:{secrets.token_hex(8)}:"


@pytest.fixture
async def replica(redis_url: str, prefix: str) -> AsyncIterator[Replica]:
    """A new Redis client for each replica a test starts; closed, and the test's keys deleted,
    afterwards."""
    clients: list[Redis] = []

    async def connect() -> Redis:
        clients.append(connect_redis(redis_url))
        return clients[-1]

    yield connect
    cleaner = await connect()
    async for name in cleaner.scan_iter(match=f"{prefix}*"):
        await cleaner.delete(name)
    for client in clients:
        await client.aclose()


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# ---------------------------------------------------------------- event isolation


async def isolations(replica: Replica, prefix: str, **options: float) -> list[RedisEventIsolation]:
    return [RedisEventIsolation(await replica(), PSEUDONYMS, prefix, **options) for _ in range(2)]


async def test_two_replicas_take_one_users_updates_one_at_a_time(
    replica: Replica, prefix: str
) -> None:
    events: list[str] = []

    async def handle(isolation: RedisEventIsolation, name: str) -> None:
        async with isolation.lock(KEY):
            events.append(f"{name} in")
            await asyncio.sleep(0.6)  # past the lock's TTL: the holder renews it
            events.append(f"{name} out")

    first, second = await isolations(replica, prefix, ttl=0.3, poll=0.02)
    await asyncio.gather(handle(first, "a"), handle(second, "b"))
    assert events in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


async def test_two_replicas_take_different_users_updates_at_once(
    replica: Replica, prefix: str
) -> None:
    first, second = await isolations(replica, prefix)
    other = StorageKey(bot_id=BOT_ID, chat_id=USER_ID + 1, user_id=USER_ID + 1)
    both_in = asyncio.Barrier(2)

    async def handle(isolation: RedisEventIsolation, key: StorageKey) -> None:
        async with isolation.lock(key):
            await both_in.wait()

    async with asyncio.timeout(5):
        await asyncio.gather(handle(first, KEY), handle(second, other))


async def test_the_lock_of_a_replica_that_died_expires(replica: Replica, prefix: str) -> None:
    survivor = RedisEventIsolation(await replica(), PSEUDONYMS, prefix, poll=0.02)
    dead = await replica()
    assert await dead.set(survivor.name(KEY), "dead replica's token", nx=True, px=500)
    started = time.monotonic()
    async with asyncio.timeout(5), survivor.lock(KEY):
        waited = time.monotonic() - started
    assert 0.3 < waited < 2, "the survivor waited for the dead lock, and only until it expired"
    assert not await dead.exists(survivor.name(KEY)), "released"


# ---------------------------------------------------------------- flood limits


async def test_the_flood_limits_are_shared_by_the_replicas(replica: Replica, prefix: str) -> None:
    clock = Clock()
    rate = Rate(per_minute=6, burst=3)
    first, second = [
        RedisTokenBuckets(await replica(), PSEUDONYMS, prefix, "messages", rate, clock)
        for _ in range(2)
    ]
    taken = [await (first if i % 2 else second).take(b"u") for i in range(6)]
    assert taken == [ALLOW, ALLOW, ALLOW, WARN, DROP, DROP]
    assert await first.take(b"other") is ALLOW, "each user has a bucket of their own"
    presses = RedisTokenBuckets(await replica(), PSEUDONYMS, prefix, "presses", rate, clock)
    assert await presses.take(b"u") is ALLOW, "presses are counted apart from messages"
    clock.now += 10
    assert await second.take(b"u") is ALLOW, "six a minute: one more every ten seconds"
    assert await first.take(b"u") is DROP, "no second warning within the minute"
    clock.now += 60
    assert [await second.take(b"u") for _ in range(4)] == [ALLOW, ALLOW, ALLOW, WARN]
    ttl = await (await replica()).ttl(first.name(b"u"))
    assert 0 < ttl <= 60, "forgotten once full again and the warning over"


# ---------------------------------------------------------------- daily quota


async def test_the_daily_quota_is_shared_and_ends_at_midnight_in_the_time_zone(
    replica: Replica, prefix: str
) -> None:
    zone = ZoneInfo("Asia/Almaty")
    midnight = datetime(2026, 3, 17, tzinfo=zone)
    now = (midnight - timedelta(hours=3)).astimezone(UTC)
    first, second = [
        RedisDailyQuota(await replica(), PSEUDONYMS, prefix, "reports", 2, zone, lambda: now)
        for _ in range(2)
    ]
    await first.spend(b"u")
    assert await second.next_day(b"u") is None
    await second.spend(b"u")
    assert await first.next_day(b"u") == date(2026, 3, 17)
    assert not await second.allows(b"u")
    assert await first.next_day(b"other") is None, "each user has a count of their own"
    ttl = await (await replica()).ttl(first.name(b"u", date(2026, 3, 16)))
    assert 3 * 3600 - 5 < ttl <= 3 * 3600, "the count expires at midnight in Almaty"
    now = midnight.astimezone(UTC)
    assert await second.next_day(b"u") is None, "a new day in Almaty, though not yet in UTC"
    assert await first.allows(b"u", 2)


# ---------------------------------------------------------------- scheduler leadership


def leases(client: Redis, other: Redis, prefix: str) -> tuple[Lease, Lease]:
    return (
        Lease(client, prefix, ttl=0.6, renew=0.1, margin=0.1),
        Lease(other, prefix, ttl=0.6, renew=0.1, margin=0.1),
    )


async def test_one_replica_leads_and_another_takes_over_when_it_stops_renewing(
    replica: Replica, prefix: str
) -> None:
    first, second = leases(await replica(), await replica(), prefix)
    assert await first.renew() and not await second.renew()
    assert await first.holds() and not await second.holds()
    runs: list[str] = []

    async def job() -> None:
        runs.append("ran")

    await fenced(job, second, "test job")()
    assert runs == [], "a follower skips the job"
    await fenced(job, first, "test job")()
    assert runs == ["ran"]
    assert await first.renew() and not await second.renew(), "the leader extends its lease"
    await asyncio.sleep(0.7)
    assert not await first.holds(), "a lease not renewed ends"
    assert await second.renew() and await second.holds(), "the follower takes over"
    assert not await first.renew(), "and the old leader does not take it back"


async def test_a_leader_whose_lease_another_took_skips_its_jobs(
    replica: Replica, prefix: str
) -> None:
    """Fenced in Redis, not only by the leader's clock: as after a pause, or a Redis restart
    that lost the lease, while the old leader's clock says it still holds it."""
    client = await replica()
    first, second = leases(client, await replica(), prefix)
    assert await first.renew()
    await client.delete(f"{prefix}scheduler:leader")
    assert await second.renew()
    ran: list[str] = []

    async def job() -> None:
        ran.append("ran")

    await fenced(job, first, "test job")()
    await fenced(job, second, "test job")()
    assert ran == ["ran"], "only the holder in Redis runs it"
    assert not await first.holds()


async def test_a_leader_that_stops_hands_over_at_once(replica: Replica, prefix: str) -> None:
    first, second = leases(await replica(), await replica(), prefix)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    running = [asyncio.create_task(first.run(stop_first))]
    await asyncio.sleep(0.05)
    running.append(asyncio.create_task(second.run(stop_second)))
    await asyncio.sleep(0.3)
    assert [await first.holds(), await second.holds()] == [True, False]
    stop_first.set()
    await running[0]
    await asyncio.sleep(0.3)
    assert await second.holds(), "released on shutdown, taken within a renewal period"
    stop_second.set()
    await running[1]
    assert not await (await replica()).exists(f"{prefix}scheduler:leader")


# ---------------------------------------------------------------- readiness


async def test_readiness_needs_redis_to_answer(
    replica: Replica, prefix: str, settings: Settings
) -> None:
    assert await in_redis(settings, PSEUDONYMS, await replica(), prefix).reachable()
    unreachable = in_redis(settings, PSEUDONYMS, connect_redis("redis://127.0.0.1:1/0"), prefix)
    with pytest.raises(RedisError):
        await unreachable.reachable()
    await unreachable.close()


# ---------------------------------------------------------------- no id in Redis


@pytest.fixture
async def services(
    settings: Settings, redis_url: str, prefix: str, replica: Replica
) -> AsyncIterator[Services]:
    """The services with ``REDIS_URL`` set, their keys under the test's prefix (deleted by
    ``replica``)."""
    built = await build_services(
        settings.model_copy(update={"redis_url": SecretStr(redis_url), "redis_prefix": prefix})
    )
    yield built
    await built.close()


async def test_redis_holds_pseudonyms_and_no_id(
    citizen: Citizen, services: Services, replica: Replica, prefix: str
) -> None:
    await fill_report(citizen)
    receipt_code(await citizen.press("do:submit"))
    shared = services.shared
    assert isinstance(shared.leadership, Lease) and await shared.leadership.renew()
    assert isinstance(shared.isolation, RedisEventIsolation)
    async with shared.isolation.lock(KEY):
        stored = await everything(await replica(), prefix)
    assert citizen.user.id == citizen.chat.id == USER_ID
    user_key = services.pseudonyms.digest("user", USER_ID)
    assert isinstance(shared.messages, RedisTokenBuckets)
    assert isinstance(shared.reports_quota, RedisDailyQuota)
    assert isinstance(shared.files_quota, RedisDailyQuota)
    today = datetime.now(services.settings.tz).date()
    expected = {
        shared.isolation.name(KEY),
        shared.messages.name(user_key),
        shared.reports_quota.name(user_key, today),
        shared.files_quota.name(user_key, today),
        f"{prefix}scheduler:leader",
    }
    assert expected <= stored.keys(), "the dialog went through Redis, under pseudonyms"
    assert stored[shared.reports_quota.name(user_key, today)] == [b"1"]
    dump = repr(stored).encode()
    names = [citizen.user.first_name, citizen.user.last_name, citizen.user.username]
    for secret in [str(USER_ID), user_key.hex(), *map(str, names)]:
        assert secret.encode() not in dump, f"{secret!r} is in Redis"
    assert user_key not in dump, "nor the database's pseudonym, raw"


async def everything(client: Redis, prefix: str) -> dict[str, list[bytes]]:
    """Every key under ``prefix`` with its values, whatever their type."""
    found: dict[str, list[bytes]] = {}
    async for name in client.scan_iter(match=f"{prefix}*"):
        kind = (await client.type(name)).decode()
        if kind == "string":
            values = [await client.get(name)]
        elif kind == "hash":
            values = [part for pair in (await client.hgetall(name)).items() for part in pair]
        else:
            raise AssertionError(f"a {kind} in Redis, which this test does not read")
        found[name.decode()] = values
    return found
