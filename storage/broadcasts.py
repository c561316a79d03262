"""Broadcasts and, for each one, every recipient it was sent to.

A recipient is written as ``sending`` before its request and settled after the answer, so a
crash leaves only the requests that were in flight undecided: those are never sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.database import Database, Row, one_of


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class RecipientStatus(StrEnum):
    SENDING = "sending"
    PENDING = "pending"
    """Telegram asked to wait (429): known not delivered, sent again after the pause."""
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    """In flight when the process died: maybe delivered, so never sent again."""


@dataclass(frozen=True, slots=True)
class NewBroadcast:
    audience: str
    author: bytes
    admin_locale: str
    created_at: str
    scheduled_at: float
    progress_message_id: int | None
    status: BroadcastStatus = BroadcastStatus.SCHEDULED
    """SENDING for one to send now: the admin sees its controls at once, not «scheduled»."""


@dataclass(frozen=True, slots=True)
class Sealed:
    """The encrypted fields, sealed for the row id they will have."""

    content: bytes
    admin_ref: bytes


@dataclass(frozen=True, slots=True)
class BroadcastRow:
    id: int
    status: BroadcastStatus
    audience: str
    content: bytes
    admin_ref: bytes
    admin_locale: str
    progress_message_id: int | None
    created_at: str
    scheduled_at: float
    started_at: float | None
    finished_at: float | None
    total: int


_COLUMNS = (
    "id, status, audience, content, admin_ref, admin_locale, progress_message_id, created_at, "
    "scheduled_at, started_at, finished_at, total"
)


class BroadcastsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create(self, new: NewBroadcast, seal: Callable[[int], Sealed]) -> int:
        """Insert a broadcast and its audit entry; ``seal`` binds the blobs to its id."""
        async with self._db.transaction(durable=True) as conn:
            row = await conn.fetchone("SELECT coalesce(max(id), 0) + 1 FROM broadcasts")
            broadcast_id = int(row[0]) if row else 1
            sealed = seal(broadcast_id)
            await conn.execute(
                "INSERT INTO broadcasts (id, status, audience, content, author, admin_ref, "
                "admin_locale, progress_message_id, created_at, scheduled_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    broadcast_id,
                    new.status,
                    new.audience,
                    sealed.content,
                    new.author,
                    sealed.admin_ref,
                    new.admin_locale,
                    new.progress_message_id,
                    new.created_at,
                    new.scheduled_at,
                ),
            )
            await conn.execute(
                "INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, 'broadcast', ?)",
                (new.created_at, new.author, f"{broadcast_id} {new.audience}"),
            )
            return broadcast_id

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?",  # noqa: S608
            (broadcast_id,),
        )
        return None if row is None else _broadcast(row)

    async def recent(self, limit: int) -> list[BroadcastRow]:
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM broadcasts ORDER BY id DESC LIMIT ?",  # noqa: S608
            (limit,),
        )
        return [_broadcast(row) for row in rows]

    async def next_due(self, now: float) -> BroadcastRow | None:
        """The broadcast to send now: one already sending, else the earliest whose time came."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status IN ('sending', 'scheduled') "  # noqa: S608
            "AND scheduled_at <= ? ORDER BY status = 'scheduled', scheduled_at, id LIMIT 1",
            (now,),
        )
        return None if row is None else _broadcast(row)

    async def next_scheduled_time(self) -> float | None:
        row = await self._db.fetchone(
            "SELECT min(scheduled_at) FROM broadcasts WHERE status = 'scheduled'"
        )
        return None if row is None or row[0] is None else float(row[0])

    async def transition(
        self, broadcast_id: int, to: BroadcastStatus, allowed: Sequence[BroadcastStatus]
    ) -> bool:
        """Change the status only from one of ``allowed``: a stale button changes nothing."""
        changed = await self._db.execute(
            f"UPDATE broadcasts SET status = ? WHERE id = ? AND {one_of('status', allowed)}",  # noqa: S608
            [to, broadcast_id, *allowed],
        )
        return changed == 1

    async def start(self, broadcast_id: int, total: int, now: float) -> None:
        await self._db.execute(
            "UPDATE broadcasts SET status = 'sending', total = greatest(total, ?), "
            "started_at = coalesce(started_at, ?) WHERE id = ?",
            (total, now, broadcast_id),
        )

    async def finish(self, broadcast_id: int, now: float) -> bool:
        changed = await self._db.execute(
            "UPDATE broadcasts SET status = 'done', finished_at = ? "
            "WHERE id = ? AND status = 'sending'",
            (now, broadcast_id),
        )
        return changed == 1

    async def set_progress_message(self, broadcast_id: int, message_id: int) -> None:
        await self._db.execute(
            "UPDATE broadcasts SET progress_message_id = ? WHERE id = ?",
            (message_id, broadcast_id),
        )

    async def counts(self, broadcast_id: int) -> dict[RecipientStatus, int]:
        rows = await self._db.fetchall(
            "SELECT status, count(*) FROM broadcast_recipients WHERE broadcast_id = ? "
            "GROUP BY status",
            (broadcast_id,),
        )
        return {RecipientStatus(row[0]): int(row[1]) for row in rows}

    async def sending(self) -> BroadcastRow | None:
        """The broadcast being sent now, if any (the oldest, should there be more)."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status = 'sending' ORDER BY id LIMIT 1"  # noqa: S608
        )
        return None if row is None else _broadcast(row)

    async def cursor(self, broadcast_id: int) -> int:
        """The highest subscriber id taken so far: streaming resumes after it."""
        row = await self._db.fetchone(
            "SELECT max(subscriber_id) FROM broadcast_recipients WHERE broadcast_id = ?",
            (broadcast_id,),
        )
        return 0 if row is None or row[0] is None else int(row[0])

    async def pending(self, broadcast_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT subscriber_id FROM broadcast_recipients "
            "WHERE broadcast_id = ? AND status = 'pending' ORDER BY subscriber_id",
            (broadcast_id,),
        )
        return [int(row[0]) for row in rows]

    async def mark(self, broadcast_id: int, subscriber_id: int, status: RecipientStatus) -> None:
        await self._db.execute(
            "INSERT INTO broadcast_recipients (broadcast_id, subscriber_id, status) "
            "VALUES (?, ?, ?) ON CONFLICT (broadcast_id, subscriber_id) "
            "DO UPDATE SET status = excluded.status",
            (broadcast_id, subscriber_id, status),
        )

    async def settle_blocked(self, broadcast_id: int, subscriber_id: int, day: str) -> None:
        """The recipient refused the message: record it, and stop writing to them."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcast_recipients SET status = 'blocked' "
                "WHERE broadcast_id = ? AND subscriber_id = ?",
                (broadcast_id, subscriber_id),
            )
            await conn.execute(
                "UPDATE subscribers SET status = 'blocked', since = ? "
                "WHERE id = ? AND status = 'active'",
                (day, subscriber_id),
            )

    async def mark_unconfirmed(self) -> int:
        """At start: requests a dead process left in flight may have arrived; never resend."""
        return await self._db.execute(
            "UPDATE broadcast_recipients SET status = 'unconfirmed' WHERE status = 'sending'"
        )


def _broadcast(row: Row) -> BroadcastRow:
    return BroadcastRow(
        id=row[0],
        status=BroadcastStatus(row[1]),
        audience=row[2],
        content=bytes(row[3]),
        admin_ref=bytes(row[4]),
        admin_locale=row[5],
        progress_message_id=row[6],
        created_at=row[7],
        scheduled_at=row[8],
        started_at=row[9],
        finished_at=row[10],
        total=row[11],
    )
