"""Failed-attempt counters (e.g. wrong receipt codes), keyed by a pseudonym."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database


@dataclass(frozen=True, slots=True)
class AttemptState:
    failures: int
    last_failure: float
    blocked_until: float


class AttemptsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, user_key: bytes, purpose: str) -> AttemptState | None:
        row = await self._db.fetchone(
            "SELECT failures, last_failure, blocked_until FROM attempts "
            "WHERE user_key = ? AND purpose = ?",
            (user_key, purpose),
        )
        if row is None:
            return None
        return AttemptState(row["failures"], row["last_failure"], row["blocked_until"])

    async def put(self, user_key: bytes, purpose: str, state: AttemptState) -> None:
        await self._db.execute(
            "INSERT INTO attempts (user_key, purpose, failures, last_failure, blocked_until) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_key, purpose) DO UPDATE SET "
            "failures = excluded.failures, last_failure = excluded.last_failure, "
            "blocked_until = excluded.blocked_until",
            (user_key, purpose, state.failures, state.last_failure, state.blocked_until),
        )

    async def clear(self, user_key: bytes, purpose: str) -> None:
        await self._db.execute(
            "DELETE FROM attempts WHERE user_key = ? AND purpose = ?", (user_key, purpose)
        )

    async def purge_older_than(self, cutoff: float) -> int:
        return await self._db.execute(
            "DELETE FROM attempts WHERE last_failure < ? AND blocked_until < ?", (cutoff, cutoff)
        )
