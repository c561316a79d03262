"""What the replicas must share, chosen once: in this process without ``REDIS_URL`` (one
replica), in Redis with it (bot/replicas)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.fsm.storage.base import BaseEventIsolation
from redis.asyncio import Redis

from bot.core.clock import utc_now
from bot.core.quota import DailyQuota, Quota
from bot.replicas.isolation import RedisEventIsolation
from bot.replicas.leadership import Leadership, Lease, SoleLeader
from bot.replicas.quota import RedisDailyQuota
from bot.replicas.throttle import RedisTokenBuckets
from bot.reports.intake import MB
from bot.security.crypto import Pseudonyms
from bot.settings import Settings
from bot.telegram.isolation import EventIsolation
from bot.telegram.throttle import MESSAGES, PRESSES, Buckets, TokenBuckets

REDIS_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Shared:
    isolation: BaseEventIsolation
    messages: Buckets
    presses: Buckets
    reports_quota: Quota
    files_quota: Quota
    leadership: Leadership
    redis: Redis | None = None

    async def reachable(self) -> bool:
        """For ``/readyz``: Redis answers, when there is one."""
        return self.redis is None or bool(await self.redis.ping())  # type: ignore[misc]

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


def connect_redis(url: str) -> Redis:
    """The one client of the process; it connects on first use."""
    return Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


def in_process(settings: Settings) -> Shared:
    zone = settings.tz
    return Shared(
        isolation=EventIsolation(),
        messages=TokenBuckets(MESSAGES),
        presses=TokenBuckets(PRESSES),
        reports_quota=DailyQuota(settings.reports_per_day, zone, utc_now),
        files_quota=DailyQuota(settings.file_mb_per_day * MB, zone, utc_now),
        leadership=SoleLeader(),
    )


def in_redis(settings: Settings, pseudonyms: Pseudonyms, redis: Redis, prefix: str) -> Shared:
    zone = settings.tz
    return Shared(
        isolation=RedisEventIsolation(redis, pseudonyms, prefix),
        messages=RedisTokenBuckets(redis, pseudonyms, prefix, "messages", MESSAGES),
        presses=RedisTokenBuckets(redis, pseudonyms, prefix, "presses", PRESSES),
        reports_quota=RedisDailyQuota(
            redis, pseudonyms, prefix, "reports", settings.reports_per_day, zone, utc_now
        ),
        files_quota=RedisDailyQuota(
            redis, pseudonyms, prefix, "file_bytes", settings.file_mb_per_day * MB, zone, utc_now
        ),
        leadership=Lease.lasting(redis, prefix, settings.leader_lease_seconds),
        redis=redis,
    )


def shared_state(settings: Settings, pseudonyms: Pseudonyms) -> Shared:
    if settings.redis_url is None:
        return in_process(settings)
    url = settings.redis_url.get_secret_value()
    return in_redis(settings, pseudonyms, connect_redis(url), settings.redis_prefix)
