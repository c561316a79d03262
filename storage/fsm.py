"""aiogram FSM storage on aiosqlite: keys are keyed hashes, data is sealed, silence expires it.

A row's time is kept to the hour: a draft's last change is its report's submission, and an exact
time would tie the pseudonym to the report. A row expires between ``ttl`` and ``ttl`` plus an hour
after its last change.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from storage.database import Database
from storage.protocols import Hasher, Sealer
from storage.times import to_hour

_Row = tuple[str | None, bytes | None, float]

# The rows read or written while the current update is handled, sealed as stored; None outside.
_seen: ContextVar[dict[bytes, _Row | None] | None] = ContextVar("adal_fsm_seen", default=None)


@contextmanager
def rows_of_one_update() -> Iterator[None]:
    """Within it, a row is read from the database once: later reads take the row as last read or
    written.

    Handling one update reads the same row up to eight times (aiogram's FSM middleware, the
    dialog, the chat trail; ``set_state`` and ``set_data`` each load the row before saving it),
    and each read is a trip to SQLite's thread. The update's user is locked by the events
    isolation and only their own updates touch their rows, so a row cannot change under the
    update but through this storage, which keeps what it wrote. The rows stay sealed in memory.
    """
    token = _seen.set({})
    try:
        yield
    finally:
        _seen.reset(token)


class SealedStorage(BaseStorage):
    """Drafts survive restarts; nobody reading the file learns whose draft it is or what it says."""

    def __init__(
        self,
        *,
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
        row = await self._row(row_key)
        if row is None or row[2] < self._expired_before():
            return row_key, None, {}
        state, data, _ = row
        decoded = json.loads(self._sealer.open(data, fsm_aad(row_key))) if data else {}
        return row_key, state, decoded

    async def _row(self, row_key: bytes) -> _Row | None:
        seen = _seen.get()
        if seen is not None and row_key in seen:
            return seen[row_key]
        found = await self._db.fetchone(
            "SELECT state, data, updated_at FROM fsm WHERE key = ?", (row_key,)
        )
        row = None if found is None else (found["state"], found["data"], found["updated_at"])
        if seen is not None:
            seen[row_key] = row
        return row

    async def _save(self, row_key: bytes, state: str | None, data: Mapping[str, Any]) -> None:
        row: _Row | None = None
        if state is None and not data:
            await self._db.write_own_row("DELETE FROM fsm WHERE key = ?", (row_key,))
        else:
            blob = (
                self._sealer.seal(json.dumps(dict(data)).encode(), fsm_aad(row_key))
                if data
                else None
            )
            row = (state, blob, to_hour(self._clock()))
            await self._db.write_own_row(
                "INSERT INTO fsm (key, state, data, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data, "
                "updated_at = excluded.updated_at",
                (row_key, *row),
            )
        seen = _seen.get()
        if seen is not None:
            seen[row_key] = row

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

    async def expired_data(self) -> list[dict[str, Any]]:
        """What the rows silent for longer than the TTL hold.

        Those rows are over even before they are purged: ``_load`` no longer returns them, so what
        their data references can go.
        """
        rows = await self._db.fetchall(
            "SELECT key, data FROM fsm WHERE updated_at < ? AND data IS NOT NULL",
            (self._expired_before(),),
        )
        return [json.loads(self._sealer.open(row["data"], fsm_aad(row["key"]))) for row in rows]

    async def purge_expired(self) -> int:
        return await self._db.execute(
            "DELETE FROM fsm WHERE updated_at < ?", (self._expired_before(),)
        )

    def _expired_before(self) -> float:
        return to_hour(self._clock()) - self._ttl

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""


def fsm_aad(row_key: bytes) -> str:
    return f"fsm:{row_key.hex()}:data"
