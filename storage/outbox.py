"""The transactional outbox: every message owed to a chat is a row before it is a request."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from storage.database import Database, Row, Transaction, none_of
from storage.times import to_hour

_ITEM_COLUMNS = (
    "o.id, o.kind, o.chat_key, o.chat_ref, o.report_id, o.attachment_id, o.parent_id, "
    "o.payload, o.attempts, o.in_flight, p.message_id"
)


@dataclass(frozen=True, slots=True)
class NewItem:
    kind: str
    chat_key: bytes
    chat_ref: bytes
    report_id: str | None = None
    attachment_id: str | None = None
    payload: bytes | None = None
    parent: int | None = None
    """Index, in the same batch, of the item this one replies to (a case card for its files)."""
    parent_id: int | None = None
    """Or the row id of an earlier item it replies to (a case card, for the reporter's answer)."""
    due: float | None = None
    """When it may be sent, if later than now (a reporter's answer waits: bot/cases/relay.py)."""
    hour_only: bool = False
    """A message to a reporter: its row keeps times to the hour, and its address, content and
    message id only until it is sent (``forget``)."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    kind: str
    chat_key: bytes
    chat_ref: bytes
    report_id: str | None
    attachment_id: str | None
    parent_id: int | None
    payload: bytes | None
    attempts: int
    in_flight: bool
    parent_message_id: int | None


class OutboxRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def enqueue(
        self,
        items: Sequence[NewItem],
        now: float,
        *,
        queued_reports: Sequence[str] = (),
        queued_at: str | None = None,
    ) -> list[int]:
        """Write the items, and mark the reports they carry as queued, in one transaction."""
        async with self._db.transaction(durable=True) as conn:
            ids = await insert_items(conn, items, now)
            await conn.executemany(
                "UPDATE reports SET queued_at = ? WHERE id = ?",
                [(queued_at, report_id) for report_id in queued_reports],
            )
        return ids

    async def due(
        self, now: float, limit: int = 50, skip: Collection[bytes] = ()
    ) -> list[OutboxItem]:
        """Items due now, oldest first, leaving out those of the chats in ``skip``."""
        rows = await self._db.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM outbox o LEFT JOIN outbox p ON p.id = o.parent_id "  # noqa: S608
            "WHERE o.status = 'pending' AND o.next_attempt <= ? AND o.lease_until <= ? "
            "AND (o.parent_id IS NULL OR p.status = 'sent') "
            f"AND {none_of('o.chat_key', skip)} ORDER BY o.id LIMIT ?",
            (now, now, *skip, limit),
        )
        return [_item(row) for row in rows]

    async def next_due_time(
        self, skip: Collection[bytes] = (), owed_by: float | None = None
    ) -> float | None:
        """When the next item is due, leaving out the chats in ``skip``; None if none is pending.

        A reply whose parent is not sent waits for it, and one whose parent was dropped (a case
        closed before its card went out) never goes: neither may wake the sender, or it would
        spin on an item it cannot send. With ``owed_by``, only what was due by then or has been
        tried already counts: a reporter's answer waiting its random delay is not owed yet.
        """
        row = await self._db.fetchone(
            "SELECT o.next_attempt FROM outbox o LEFT JOIN outbox p ON p.id = o.parent_id "  # noqa: S608
            "WHERE o.status = 'pending' AND (o.parent_id IS NULL OR p.status = 'sent') "
            f"AND {_owed(owed_by)} AND {none_of('o.chat_key', skip)} "
            "ORDER BY o.next_attempt LIMIT 1",
            (*_owed_params(owed_by), *skip),
        )
        return None if row is None else float(row[0])

    async def pending(self, owed_by: float | None = None) -> int:
        """Items still to send; with ``owed_by``, those due by then or tried already."""
        row = await self._db.fetchone(
            f"SELECT count(*) FROM outbox o WHERE o.status = 'pending' AND {_owed(owed_by)}",  # noqa: S608
            _owed_params(owed_by),
        )
        return int(row[0]) if row else 0

    async def oldest_pending(self) -> float | None:
        """When the oldest item still to send was queued (a reporter's, to the hour), if any."""
        row = await self._db.fetchone("SELECT min(created_at) FROM outbox WHERE status = 'pending'")
        return None if row is None or row[0] is None else float(row[0])

    async def claim(self, item_id: int, now: float, lease: float) -> bool:
        """Take an item for sending, recorded before the request.

        In flight marks a possible repeat should a crash follow; the lease keeps a second
        process (``python -m bot digest`` beside the running bot) from sending it too.
        """
        changed = await self._db.execute(
            "UPDATE outbox SET in_flight = 1, attempts = attempts + 1, lease_until = ? "
            "WHERE id = ? AND status = 'pending' AND lease_until <= ?",
            (now + lease, item_id, now),
        )
        return changed == 1

    async def sent(
        self, item: OutboxItem, message_id: int, now: float, at: str, *, forget: bool = False
    ) -> None:
        """Mark an item sent; ``forget`` also blanks what it no longer needs (see ``drop``)."""
        async with self._db.transaction(durable=True) as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'sent', in_flight = 0, message_id = ?, sent_at = ? "
                "WHERE id = ?",
                (None if forget else message_id, to_hour(now) if forget else now, item.id),
            )
            if forget:
                await _forget(conn, item.id)
            else:
                await conn.execute(
                    "UPDATE department_chats SET refused_at = NULL "
                    "WHERE chat_key = ? AND refused_at IS NOT NULL",
                    (item.chat_key,),
                )
            if item.kind == "report" and item.report_id:
                changed = await conn.execute(
                    "UPDATE reports SET status = 'delivered', delivered_at = ?, updated_at = ? "
                    "WHERE id = ? AND status = 'new'",
                    (at, at, item.report_id),
                )
                if changed:
                    await conn.execute(
                        "INSERT INTO report_events (report_id, kind, status, created_at) "
                        "VALUES (?, 'delivered', 'delivered', ?)",
                        (item.report_id, at),
                    )

    async def release_claims(self) -> int:
        """At start: claims left by a process that died; their items go again, as repeats."""
        return await self._db.execute(
            "UPDATE outbox SET lease_until = 0 WHERE status = 'pending' AND lease_until > 0"
        )

    async def retry(self, item_id: int, next_attempt: float) -> None:
        await self._db.execute(
            "UPDATE outbox SET in_flight = 0, lease_until = 0, next_attempt = ? WHERE id = ?",
            (next_attempt, item_id),
        )

    async def postpone_chat(self, chat_key: bytes, next_attempt: float) -> None:
        await self._db.execute(
            "UPDATE outbox SET next_attempt = greatest(next_attempt, ?) "
            "WHERE chat_key = ? AND status = 'pending'",
            (next_attempt, chat_key),
        )

    async def drop(self, item_id: int, *, forget: bool = False) -> None:
        """Give up on an item that can never be sent (its report or file is gone, or a reporter
        blocked the bot), and on what replies to it (a card's files, a delayed answer), which
        could never go either; ``forget`` blanks the item's address, content and schedule."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET status = 'dropped', in_flight = 0 "
                "WHERE id = ? OR (parent_id = ? AND status = 'pending')",
                (item_id, item_id),
            )
            if forget:
                await _forget(conn, item_id)

    async def pending_for(self, chat_key: bytes) -> list[OutboxItem]:
        rows = await self._db.fetchall(
            f"SELECT {_ITEM_COLUMNS} FROM outbox o LEFT JOIN outbox p ON p.id = o.parent_id "  # noqa: S608
            "WHERE o.chat_key = ? AND o.status = 'pending'",
            (chat_key,),
        )
        return [_item(row) for row in rows]

    async def move_chat(
        self, old_key: bytes, new_key: bytes, new_ref: bytes, payloads: dict[int, bytes]
    ) -> None:
        """Point every item of a chat at its new id; ``payloads`` are resealed for it."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET chat_key = ?, chat_ref = ? WHERE chat_key = ?",
                (new_key, new_ref, old_key),
            )
            await conn.executemany(
                "UPDATE outbox SET payload = ? WHERE id = ?",
                [(payload, item_id) for item_id, payload in payloads.items()],
            )

    async def card_of(self, report_id: str, chat_key: bytes) -> int | None:
        """The outbox row of the newest case card of a report sent, or to be sent, to a chat: a
        reply to it waits until it is sent."""
        row = await self._db.fetchone(
            "SELECT id FROM outbox WHERE report_id = ? AND chat_key = ? "
            "AND kind = 'report' AND status IN ('pending', 'sent') ORDER BY id DESC LIMIT 1",
            (report_id, chat_key),
        )
        return None if row is None else int(row[0])

    async def card_message(self, report_id: str, chat_key: bytes) -> int | None:
        """The message id of the newest case card of a report sent to a chat."""
        row = await self._db.fetchone(
            "SELECT message_id FROM outbox WHERE report_id = ? AND chat_key = ? "
            "AND kind = 'report' AND status = 'sent' AND message_id IS NOT NULL "
            "ORDER BY id DESC LIMIT 1",
            (report_id, chat_key),
        )
        return None if row is None else int(row[0])

    async def relayed_at(self, report_id: str, chat_key: bytes, kind: str) -> list[float]:
        """When the messages of ``kind`` about a report reached a chat (the reporter's answers:
        the moment they were relayed, after their random delay, never when they were written)."""
        rows = await self._db.fetchall(
            "SELECT sent_at FROM outbox WHERE report_id = ? AND chat_key = ? AND kind = ? "
            "AND status = 'sent' ORDER BY id",
            (report_id, chat_key, kind),
        )
        return [float(row[0]) for row in rows]

    async def held(self, report_id: str, now: float) -> tuple[bool, frozenset[str]]:
        """What of a report still waits before it may reach a chat (a reporter's answer or
        addition, its random delay: bot/cases/relay.py): whether any text does, and which files."""
        rows = await self._db.fetchall(
            "SELECT kind, attachment_id FROM outbox WHERE report_id = ? AND status = 'pending' "
            "AND next_attempt > ? AND kind IN ('answer', 'addition', 'attachment')",
            (report_id, now),
        )
        texts = any(row[0] != "attachment" for row in rows)
        return texts, frozenset(row[1] for row in rows if row[0] == "attachment")

    async def last_due(self, report_id: str, chat_key: bytes) -> float | None:
        """When the last message about a report still owed to a chat is due: a later one is due
        no earlier, so that they arrive in order."""
        row = await self._db.fetchone(
            "SELECT max(next_attempt) FROM outbox WHERE report_id = ? AND chat_key = ? "
            "AND status = 'pending'",
            (report_id, chat_key),
        )
        return None if row is None or row[0] is None else float(row[0])


async def insert_items(conn: Transaction, items: Sequence[NewItem], now: float) -> list[int]:
    """Insert in order, resolving each item's ``parent`` index to the parent's row id."""
    ids: list[int] = []
    for item in items:
        parent_id = ids[item.parent] if item.parent is not None else item.parent_id
        row = await conn.fetchone(
            "INSERT INTO outbox (kind, chat_key, chat_ref, report_id, attachment_id, parent_id, "
            "payload, next_attempt, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                item.kind,
                item.chat_key,
                item.chat_ref,
                item.report_id,
                item.attachment_id,
                parent_id,
                item.payload,
                now if item.due is None else max(now, item.due),
                to_hour(now) if item.hour_only else now,
            ),
        )
        assert row is not None  # noqa: S101 - an INSERT … RETURNING returns its row
        ids.append(int(row[0]))
    return ids


async def drop_pending(conn: Transaction, item_ids: Sequence[int]) -> None:
    """Give up on items not sent yet (a reporter's notice of a close that was undone), their
    address and content blanked at once."""
    for item_id in item_ids:
        changed = await conn.execute(
            "UPDATE outbox SET status = 'dropped', in_flight = 0 "
            "WHERE id = ? AND status = 'pending'",
            (item_id,),
        )
        if changed:
            await _forget(conn, item_id)


async def _forget(conn: Transaction, item_id: int) -> None:
    """Blank a finished item's address (key and sealed chat id), content and schedule: the row
    keeps its kind and the hour, which retention deletes a week later."""
    await conn.execute(
        "UPDATE outbox SET chat_key = ?, chat_ref = ?, payload = NULL, lease_until = 0, "
        "next_attempt = coalesce(sent_at, created_at) WHERE id = ?",
        (b"", b"", item_id),
    )


def _owed(by: float | None) -> str:
    """An item owed by a moment: due by then, or tried already (a retry waits); with no moment,
    every item."""
    return "TRUE" if by is None else "(o.next_attempt <= ? OR o.attempts > 0)"


def _owed_params(by: float | None) -> tuple[float, ...]:
    return () if by is None else (by,)


def _item(row: Row) -> OutboxItem:
    return OutboxItem(
        id=row[0],
        kind=row[1],
        chat_key=bytes(row[2]),
        chat_ref=bytes(row[3]),
        report_id=row[4],
        attachment_id=row[5],
        parent_id=row[6],
        payload=None if row[7] is None else bytes(row[7]),
        attempts=row[8],
        in_flight=bool(row[9]),
        parent_message_id=row[10],
    )
