"""One update at a time per user and chat across the replicas: a lock in Redis per key.

The lock expires ``ttl`` seconds after its last renewal, so that a replica that died holding it
blocks that user for at most that long; while the update runs, the holder renews it every
``ttl / 3`` seconds, so a slow update (a video being cleaned) keeps it.

Redis's lock is taken by polling, in no particular order; so within a replica a user's updates
first queue, in arrival order, on this process's own lock (``EventIsolation``): a message typed
and the button pressed after it are handled in that order, as without Redis.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError, RedisError

from bot.security.crypto import Pseudonyms
from bot.telegram.isolation import EventIsolation

logger = logging.getLogger(__name__)

LOCK_TTL_SECONDS = 30.0
POLL_SECONDS = 0.05
PURPOSE = "redis:isolation"


class RedisEventIsolation(BaseEventIsolation):
    def __init__(
        self,
        redis: Redis,
        pseudonyms: Pseudonyms,
        prefix: str,
        *,
        ttl: float = LOCK_TTL_SECONDS,
        poll: float = POLL_SECONDS,
    ) -> None:
        self._redis = redis
        self._pseudonyms = pseudonyms
        self._prefix = prefix
        self._ttl = ttl
        self._poll = poll
        self._local = EventIsolation()

    def name(self, key: StorageKey) -> str:
        digest = self._pseudonyms.digest(
            PURPOSE,
            key.bot_id,
            key.chat_id,
            key.user_id,
            key.thread_id,
            key.business_connection_id,
            key.destiny,
        )
        return f"{self._prefix}lock:{digest.hex()}"

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        async with self._local.lock(key), self._shared(key):
            yield

    @asynccontextmanager
    async def _shared(self, key: StorageKey) -> AsyncIterator[None]:
        lock = self._redis.lock(self.name(key), timeout=self._ttl, sleep=self._poll)
        await lock.acquire(token=secrets.token_hex(16))  # redis-py's own, a uuid1, tells the time
        keeper = asyncio.create_task(self._keep(lock))
        try:
            yield
        finally:
            keeper.cancel()
            with suppress(asyncio.CancelledError):
                await keeper
            try:
                await lock.release()
            except LockError:
                logger.warning("An update outlived its lock: another may have run beside it")
            except RedisError as exc:  # the update is done: failing it would have it redelivered
                logger.warning("Could not release an update's lock (%s)", type(exc).__name__)

    async def _keep(self, lock: Lock) -> None:
        while True:
            await asyncio.sleep(self._ttl / 3)
            try:
                await lock.reacquire()
            except LockError:
                logger.warning("An update's lock expired: another may run beside it")
                return
            except RedisError as exc:
                logger.warning("Could not renew an update's lock (%s)", type(exc).__name__)

    async def close(self) -> None:
        """Nothing to release: each lock goes with its holder; the client is the services'."""
