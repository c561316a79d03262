"""Which replica runs the scheduled jobs: the holder of a lease in Redis.

Each replica tries every ``renew`` seconds to take the lease (``SET NX PX`` with a random token)
or, holding it, to extend it; it expires ``ttl`` seconds after the last extension, so when the
leader dies another replica takes over within ``ttl + renew``. Right before a job runs,
``holds()`` checks, in Redis, that the lease is still this replica's with more than ``margin``
seconds left: a leader cut off from Redis, or paused past its lease, skips the job rather than
run it beside the next leader.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from functools import wraps
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

LEASE_TTL_SECONDS = 30.0
RENEW_SECONDS = 10.0
MARGIN_SECONDS = 5.0

# KEYS[1] the lease; ARGV[1] this replica's token.
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_LEFT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PTTL', KEYS[1])
end
return -1
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Leadership(Protocol):
    async def run(self, stop: asyncio.Event) -> None:
        """Hold or seek the leadership until ``stop``, then give it up."""

    async def holds(self) -> bool:
        """Whether this replica may run a scheduled job now."""


class SoleLeader:
    """Without Redis there is one process, always the leader."""

    async def run(self, stop: asyncio.Event) -> None:
        return None

    async def holds(self) -> bool:
        return True


class Lease:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        ttl: float = LEASE_TTL_SECONDS,
        renew: float = RENEW_SECONDS,
        margin: float = MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis = redis
        self._name = f"{prefix}scheduler:leader"
        self._token = secrets.token_hex(16)
        self._ttl_ms = round(ttl * 1000)
        self._renew = renew
        self._margin_ms = round(margin * 1000)
        self._clock = clock
        self._valid_until = 0.0
        self._extend = redis.register_script(_EXTEND)
        self._left = redis.register_script(_LEFT)
        self._release = redis.register_script(_RELEASE)

    @classmethod
    def lasting(cls, redis: Redis, prefix: str, ttl: float) -> Lease:
        """A lease of ``ttl`` seconds, renewed three times within it, given up with a sixth
        left: a dead leader's jobs move within about 1.3 ``ttl``."""
        return cls(redis, prefix, ttl=ttl, renew=ttl / 3, margin=ttl / 6)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self.renew()
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._renew)
        finally:
            await self.release()

    async def renew(self) -> bool:
        """Take the lease, or extend it when held; whether this replica holds it now."""
        sent = self._clock()
        was_leader = sent < self._valid_until
        try:
            held = bool(await self._extend(keys=[self._name], args=[self._token, self._ttl_ms]))
            if not held:
                held = bool(
                    await self._redis.set(self._name, self._token, nx=True, px=self._ttl_ms)
                )
        except RedisError as exc:
            logger.warning("Could not renew the scheduler's lease (%s)", type(exc).__name__)
            return False
        self._valid_until = sent + self._ttl_ms / 1000 if held else 0.0
        if held != was_leader:
            logger.info("This replica %s the scheduled jobs", "runs" if held else "no longer runs")
        return held

    async def holds(self) -> bool:
        if self._valid_until - self._clock() <= self._margin_ms / 1000:
            return False
        try:
            left = int(await self._left(keys=[self._name], args=[self._token]))
        except RedisError as exc:
            logger.warning("Could not check the scheduler's lease (%s)", type(exc).__name__)
            return False
        return left > self._margin_ms

    async def release(self) -> None:
        self._valid_until = 0.0
        try:
            await self._release(keys=[self._name], args=[self._token])
        except RedisError as exc:
            logger.warning("Could not release the scheduler's lease (%s)", type(exc).__name__)


def fenced(
    job: Callable[[], Awaitable[object]], leadership: Leadership, name: str
) -> Callable[[], Awaitable[None]]:
    """``job``, run only while ``leadership.holds()``; skipped otherwise."""

    @wraps(job)
    async def run() -> None:
        if not await leadership.holds():
            logger.debug("Skipped %s: another replica runs the scheduled jobs", name)
            return
        await job()

    return run
