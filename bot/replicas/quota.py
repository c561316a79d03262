"""The daily quotas shared by the replicas: one counter per user and day in Redis, expiring at
the end of that day in ``TIMEZONE`` (bot/core/quota.py keeps them in memory instead).

The day is part of the key, so that a new day starts from nothing on every replica at once,
whatever is left of the old day's keys until they expire.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo

from redis.asyncio import Redis

from bot.security.crypto import Pseudonyms

PURPOSE = "redis:quota"


class RedisDailyQuota:
    def __init__(
        self,
        redis: Redis,
        pseudonyms: Pseudonyms,
        prefix: str,
        kind: str,
        limit: int,
        zone: tzinfo,
        now: Callable[[], datetime],
    ) -> None:
        """``kind`` tells this quota from the others (reports, file bytes)."""
        self._redis = redis
        self._pseudonyms = pseudonyms
        self._prefix = f"{prefix}quota:{kind}:"
        self._limit = limit
        self._zone = zone
        self._now = now

    @property
    def limit(self) -> int:
        return self._limit

    def name(self, user_key: bytes, day: date) -> str:
        digest = self._pseudonyms.digest(PURPOSE, user_key.hex())
        return f"{self._prefix}{day.isoformat()}:{digest.hex()}"

    def _today(self) -> date:
        return self._now().astimezone(self._zone).date()

    async def _spent(self, user_key: bytes, day: date) -> int:
        return int(await self._redis.get(self.name(user_key, day)) or 0)

    async def allows(self, user_key: bytes, amount: int = 1) -> bool:
        return await self._spent(user_key, self._today()) + amount <= self._limit

    async def next_day(self, user_key: bytes) -> date | None:
        day = self._today()
        if await self._spent(user_key, day) + 1 <= self._limit:
            return None
        return day + timedelta(days=1)

    async def spend(self, user_key: bytes, amount: int = 1) -> None:
        now = self._now()
        day = now.astimezone(self._zone).date()
        midnight = datetime.combine(day + timedelta(days=1), time(), self._zone)
        name = self.name(user_key, day)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(name, amount)
            pipe.expire(name, math.ceil(midnight.timestamp() - now.timestamp()))
            await pipe.execute()
