"""aiogram FSM storage on aiosqlite: keys are keyed hashes, data is sealed, silence expires it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from storage.database import Database
from storage.protocols import Hasher, Sealer


class SQLiteStorage(BaseStorage):
    """Drafts survive restarts; nobody reading the file learns whose draft it is or what it says."""

    def __init__(
        self,
        database: Database,
        sealer: Sealer,
        hasher: Hasher,
        ttl_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = database
        self._sealer = sealer
        self._hasher = hasher
        self._ttl = ttl_seconds
        self._clock = clock

    def _row_key(self, key: StorageKey) -> bytes:
        return self._hasher.digest(
            "fsm",
            key.bot_id,
            key.chat_id,
            key.user_id,
            key.thread_id,
            key.business_connection_id,
            key.destiny,
        )

    async def _load(self, key: StorageKey) -> tuple[bytes, str | None, dict[str, Any]]:
        row_key = self._row_key(key)
        row = await self._db.fetchone(
            "SELECT state, data, updated_at FROM fsm WHERE key = ?", (row_key,)
        )
        if row is None or row["updated_at"] < self._clock() - self._ttl:
            return row_key, None, {}
        data = row["data"]
        decoded = json.loads(self._sealer.open(data, fsm_aad(row_key))) if data else {}
        return row_key, row["state"], decoded

    async def _save(self, row_key: bytes, state: str | None, data: Mapping[str, Any]) -> None:
        if state is None and not data:
            await self._db.execute("DELETE FROM fsm WHERE key = ?", (row_key,))
            return
        blob = (
            self._sealer.seal(json.dumps(dict(data)).encode(), fsm_aad(row_key)) if data else None
        )
        await self._db.execute(
            "INSERT INTO fsm (key, state, data, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data, "
            "updated_at = excluded.updated_at",
            (row_key, state, blob, self._clock()),
        )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        row_key, _, data = await self._load(key)
        await self._save(row_key, state.state if isinstance(state, State) else state, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(key))[1]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        row_key, state, _ = await self._load(key)
        await self._save(row_key, state, data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self._load(key))[2]

    async def purge_expired(self) -> int:
        return await self._db.execute(
            "DELETE FROM fsm WHERE updated_at < ?", (self._clock() - self._ttl,)
        )

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""


def fsm_aad(row_key: bytes) -> str:
    return f"fsm:{row_key.hex()}:data"
