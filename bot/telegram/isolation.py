"""One update at a time per user and chat, without a lock kept for everyone who ever wrote.

aiogram's ``SimpleEventIsolation`` keeps a lock for every key it has seen, so its memory grows
with the number of accounts that ever sent an update; here a lock lives only while an update
holds it or waits for it. Waiters get the lock in the order they asked (asyncio's locks are fair),
so a user's updates are handled in the order they arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey

Key = TypeVar("Key", bound=Hashable)


@dataclass(slots=True)
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class KeyedLocks(Generic[Key]):
    """A fair lock per key, kept only while someone holds it or waits for it."""

    def __init__(self) -> None:
        self._entries: dict[Key, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @asynccontextmanager
    async def lock(self, key: Key) -> AsyncIterator[None]:
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if not entry.users:
                del self._entries[key]


class EventIsolation(BaseEventIsolation):
    def __init__(self) -> None:
        self._locks: KeyedLocks[StorageKey] = KeyedLocks()

    @property
    def keys_in_use(self) -> int:
        """Keys with an update in progress or waiting.

        Not ``__len__``: aiogram would take an empty, so falsy, isolation for none at all.
        """
        return len(self._locks)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        async with self._locks.lock(key):
            yield

    async def close(self) -> None:
        """Nothing to release: each lock goes with its last user."""
