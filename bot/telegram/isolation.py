"""One update at a time per user and chat, without a lock kept for everyone who ever wrote.

aiogram's ``SimpleEventIsolation`` keeps a lock for every key it has seen, so its memory grows
with the number of accounts that ever sent an update; here a lock lives only while an update
holds it or waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey


@dataclass(slots=True)
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class EventIsolation(BaseEventIsolation):
    def __init__(self) -> None:
        self._entries: dict[StorageKey, _Entry] = {}

    @property
    def keys_in_use(self) -> int:
        """Keys with an update in progress or waiting.

        Not ``__len__``: aiogram would take an empty, so falsy, isolation for none at all.
        """
        return len(self._entries)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if not entry.users:
                del self._entries[key]

    async def close(self) -> None:
        """Nothing to release: each lock goes with its last user."""
