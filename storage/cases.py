"""Cases as departments work them: queueing for digests, officers' actions, the audit log."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from bot.core.values import UNACCEPTED, CaseStatus
from storage.database import Database, Row, Transaction, one_of
from storage.outbox import NewItem, drop_pending, insert_items
from storage.reports import record_addition_in

_CASE_COLUMNS = (
    "id, case_no, region, category, occurred, place, body, contact, locale, status, "
    "created_at, urgent, accepted_at, closed_at, resolution"
)


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: str
    case_no: int
    region: str
    category: str
    occurred: str
    place: bytes | None
    body: bytes
    contact: bytes | None
    locale: str
    status: str
    created_at: str
    urgent: bool
    accepted_at: str | None
    closed_at: str | None
    resolution: str | None


@dataclass(frozen=True, slots=True)
class QuestionRow:
    id: str
    report_id: str
    body: bytes
    asked_at: str
    answered_at: str | None


@dataclass(frozen=True, slots=True)
class NoteRow:
    """What a reporter added to a report, or answered (then its id is the question's)."""

    id: str
    body: bytes
    at: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: str
    actor: bytes
    action: str
    region: str | None
    detail: str | None
    case_no: int | None = None
    """Only in ``audit_log``: the number of the case the entry is about, if any."""


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """What ``audit_log`` keeps; each None keeps every entry. Moments are UTC ISO text."""

    region: str | None = None
    action: str | None = None
    actor: bytes | None = None
    since: str | None = None
    until: str | None = None
    """Exclusive."""


@dataclass(frozen=True, slots=True)
class Change:
    """One officer action: the case's new state, its history entry and its audit entry."""

    report_id: str
    actor: bytes
    action: str
    at: str
    status: str | None = None
    region: str | None = None
    resolution: str | None = None
    detail: str | None = None
    drop_contact: bool = False
    requeue: bool = False


class CasesRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, report_id: str) -> CaseRow | None:
        row = await self._db.fetchone(
            f"SELECT {_CASE_COLUMNS} FROM reports WHERE id = ?",  # noqa: S608
            (report_id,),
        )
        return None if row is None else _case(row)

    async def by_number(self, case_no: int) -> CaseRow | None:
        row = await self._db.fetchone(
            f"SELECT {_CASE_COLUMNS} FROM reports WHERE case_no = ?",  # noqa: S608
            (case_no,),
        )
        return None if row is None else _case(row)

    async def unqueued(self, *, urgent_only: bool = False) -> list[CaseRow]:
        """Open cases no digest has taken yet, oldest first."""
        urgent = "AND urgent = 1" if urgent_only else ""
        rows = await self._db.fetchall(
            f"SELECT {_CASE_COLUMNS} FROM reports WHERE queued_at IS NULL "  # noqa: S608
            f"AND status IN ('new', 'delivered') {urgent} ORDER BY case_no"
        )
        return [_case(row) for row in rows]

    async def open_cases(self, region: str | None = None) -> list[CaseRow]:
        where = "AND region = ?" if region else ""
        rows = await self._db.fetchall(
            f"SELECT {_CASE_COLUMNS} FROM reports WHERE status IN "  # noqa: S608
            f"('new', 'delivered', 'accepted', 'awaiting_reporter') {where} ORDER BY case_no",
            (region,) if region else (),
        )
        return [_case(row) for row in rows]

    async def released(self, regions: Collection[str] | None) -> list[CaseRow]:
        """Open cases a digest has taken (their cards went out), of ``regions`` (None: all)."""
        where = f"AND {one_of('region', regions)}" if regions is not None else ""
        rows = await self._db.fetchall(
            f"SELECT {_CASE_COLUMNS} FROM reports WHERE queued_at IS NOT NULL "  # noqa: S608
            f"AND status IN ('new', 'delivered', 'accepted', 'awaiting_reporter') {where} "
            "ORDER BY case_no",
            tuple(regions or ()),
        )
        return [_case(row) for row in rows]

    async def apply(self, change: Change, notices: list[NewItem], now: float) -> bool:
        """Apply an officer's action atomically, with its history, audit and messages owed.

        Returns False if the case is closed already (a stale button): nothing changes then.
        """
        async with self._db.transaction(durable=True) as conn:
            if not await _change(conn, change):
                return False
            await insert_items(conn, notices, now)
        return True

    async def close(
        self, change: Change, notices: list[NewItem], now: float, undo_until: float
    ) -> bool:
        """Close a case as ``apply`` does, and keep until ``undo_until`` what undoing needs: the
        status it had and the notices owed to the reporter (due then, so undoing drops them)."""
        async with self._db.transaction(durable=True) as conn:
            row = await conn.fetchone(
                "SELECT status FROM reports WHERE id = ?", (change.report_id,)
            )
            if row is None or not await _change(conn, change):
                return False
            ids = await insert_items(conn, notices, now)
            await conn.execute(
                "INSERT INTO close_undo (report_id, status, notices, until) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (report_id) DO UPDATE SET status = excluded.status, "
                "notices = excluded.notices, until = excluded.until",
                (change.report_id, row[0], json.dumps(ids), undo_until),
            )
        return True

    async def undo_close(self, change: Change, now: float) -> str | None:
        """Reopen a case closed less than the undo window ago, to the status it had: the
        reporter's notices of the close are dropped unsent and their history forgets the close;
        the audit log keeps both. The restored status, or None once the window has passed."""
        async with self._db.transaction(durable=True) as conn:
            undo = await conn.fetchone(
                "DELETE FROM close_undo WHERE report_id = ? AND until > ? "
                "RETURNING status, notices",
                (change.report_id, now),
            )
            if undo is None:
                return None
            row = await conn.fetchone(
                "UPDATE reports SET status = ?, closed_at = NULL, resolution = NULL, "
                "updated_at = ? WHERE id = ? AND status = 'closed' RETURNING region",
                (undo[0], change.at, change.report_id),
            )
            if row is None:
                return None
            await drop_pending(conn, json.loads(undo[1]))
            await conn.execute(
                "DELETE FROM report_events WHERE id = (SELECT max(id) FROM report_events "
                "WHERE report_id = ? AND kind = 'closed')",
                (change.report_id,),
            )
            await _audit(conn, change, row[0])
        return str(undo[0])

    async def undo_until(self, report_id: str) -> float | None:
        row = await self._db.fetchone(
            "SELECT until FROM close_undo WHERE report_id = ?", (report_id,)
        )
        return None if row is None else float(row[0])

    async def end_undo_windows(self, now: float) -> list[tuple[str, str]]:
        """Closes past their undo window are final: the reporter's contact goes now. Returns
        (case id, region) of each case made final that is still closed."""
        async with self._db.transaction(durable=True) as conn:
            await conn.execute(
                "UPDATE reports SET contact = NULL WHERE status = 'closed' AND id IN "
                "(SELECT report_id FROM close_undo WHERE until <= ?)",
                (now,),
            )
            rows = await conn.fetchall(
                "DELETE FROM close_undo WHERE until <= ? RETURNING report_id", (now,)
            )
            ended = [row[0] for row in rows]
            if not ended:
                return []
            rows = await conn.fetchall(
                f"SELECT id, region FROM reports WHERE status = 'closed' "  # noqa: S608
                f"AND {one_of('id', ended)}",
                ended,
            )
            return [(row[0], row[1]) for row in rows]

    async def reopen(self, change: Change, notices: list[NewItem], now: float) -> bool:
        """A closed case open again, as new, for the next digest: its history entry (the old
        result as detail), its audit entry and messages owed. False if it is not closed."""
        async with self._db.transaction(durable=True) as conn:
            row = await conn.fetchone(
                "UPDATE reports SET status = 'new', closed_at = NULL, resolution = NULL, "
                "queued_at = NULL, updated_at = ? WHERE id = ? AND status = 'closed' "
                "RETURNING region",
                (change.at, change.report_id),
            )
            if row is None:
                return False
            await conn.execute(
                "INSERT INTO report_events (report_id, kind, status, created_at, detail) "
                "VALUES (?, ?, 'new', ?, ?)",
                (change.report_id, change.action, change.at, change.detail),
            )
            await _audit(conn, change, row[0])
            undo = await conn.fetchone(
                "DELETE FROM close_undo WHERE report_id = ? RETURNING notices", (change.report_id,)
            )
            if undo is not None:  # reopened before its close could be undone: never told
                await drop_pending(conn, json.loads(undo[0]))
            await insert_items(conn, notices, now)
        return True

    async def ask(
        self, change: Change, question_id: str, body: bytes, notices: list[NewItem], now: float
    ) -> bool:
        """Store an officer's question with the case's change, in one transaction."""
        async with self._db.transaction(durable=True) as conn:
            if not await _change(conn, change):
                return False
            await conn.execute(
                "INSERT INTO questions (id, report_id, body, asked_at) VALUES (?, ?, ?, ?)",
                (question_id, change.report_id, body, change.at),
            )
            await insert_items(conn, notices, now)
        return True

    async def answer(
        self,
        question: QuestionRow,
        note: tuple[str, bytes] | None,
        at: str,
        notices: list[NewItem],
        now: float,
    ) -> None:
        """The reporter's answer: kept as a note on the case (the first answer only: the note
        has its question's id), and owed to the department."""
        async with self._db.transaction(durable=True) as conn:
            changed = await conn.execute(
                "UPDATE questions SET answered_at = ? WHERE id = ? AND answered_at IS NULL",
                (at, question.id),
            )
            if changed:
                if note is not None:
                    await _add_note(conn, question.report_id, note, at)
                await conn.execute(
                    "UPDATE reports SET status = 'accepted', updated_at = ? "
                    "WHERE id = ? AND status = 'awaiting_reporter'",
                    (at, question.report_id),
                )
                await conn.execute(
                    "INSERT INTO report_events (report_id, kind, status, created_at) "
                    "SELECT id, 'answered', status, ? FROM reports WHERE id = ?",
                    (at, question.report_id),
                )
            await insert_items(conn, notices, now)

    async def add_note(
        self, report_id: str, note: tuple[str, bytes], at: str, owed: list[NewItem], now: float
    ) -> None:
        """Information the reporter added: kept as a note, with what it owes the department, in
        one transaction, so a crash leaves neither a note never relayed nor a relay of nothing."""
        async with self._db.transaction(durable=True) as conn:
            await _add_note(conn, report_id, note, at)
            await record_addition_in(conn, report_id, at)
            await insert_items(conn, owed, now)

    async def notes(self, report_id: str) -> list[NoteRow]:
        """The reporter's additions and answers to a report, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id, body, created_at FROM report_notes WHERE report_id = ? ORDER BY seq",
            (report_id,),
        )
        return [NoteRow(row[0], bytes(row[1]), row[2]) for row in rows]

    async def question(self, question_id: str) -> QuestionRow | None:
        row = await self._db.fetchone(
            "SELECT id, report_id, body, asked_at, answered_at FROM questions WHERE id = ?",
            (question_id,),
        )
        return None if row is None else QuestionRow(row[0], row[1], bytes(row[2]), row[3], row[4])

    async def questions(self, report_id: str, *, unanswered: bool = False) -> list[QuestionRow]:
        """The questions asked on a report, oldest first; ``unanswered``: those not answered."""
        rows = await self._db.fetchall(
            "SELECT id, report_id, body, asked_at, answered_at FROM questions "
            "WHERE report_id = ? AND (answered_at IS NULL OR NOT ?) ORDER BY asked_at, id",
            (report_id, unanswered),
        )
        return [QuestionRow(row[0], row[1], bytes(row[2]), row[3], row[4]) for row in rows]

    async def record_read(self, report_id: str, actor: bytes, region: str, at: str) -> None:
        async with self._db.transaction() as conn:
            await _audit(conn, Change(report_id, actor, "read", at), region)

    async def staff_actions(self, limit: int) -> list[AuditRow]:
        """The newest entries that concern no single case: exports and broadcasts."""
        rows = await self._db.fetchall(
            "SELECT at, actor, action, region, detail FROM audit WHERE report_id IS NULL "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [AuditRow(row[0], bytes(row[1]), row[2], row[3], row[4]) for row in rows]

    async def audit(self, report_id: str) -> list[AuditRow]:
        rows = await self._db.fetchall(
            "SELECT at, actor, action, region, detail FROM audit WHERE report_id = ? ORDER BY id",
            (report_id,),
        )
        return [AuditRow(row[0], bytes(row[1]), row[2], row[3], row[4]) for row in rows]

    async def audit_log(self, query: AuditQuery, limit: int, offset: int) -> list[AuditRow]:
        """Entries matching ``query``, newest first, with the number of their case."""
        conditions = (
            ("a.region = ?", query.region),
            ("a.action = ?", query.action),
            ("a.actor = ?", query.actor),
            ("a.at >= ?", query.since),
            ("a.at < ?", query.until),
        )
        kept = [(clause, value) for clause, value in conditions if value is not None]
        where = " AND ".join(clause for clause, _value in kept) or "TRUE"
        rows = await self._db.fetchall(
            "SELECT a.at, a.actor, a.action, a.region, a.detail, r.case_no FROM audit a "  # noqa: S608
            f"LEFT JOIN reports r ON r.id = a.report_id WHERE {where} "
            "ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (*(value for _clause, value in kept), limit, offset),
        )
        return [AuditRow(row[0], bytes(row[1]), row[2], row[3], row[4], row[5]) for row in rows]


async def _change(conn: Transaction, change: Change) -> bool:
    """The case's new state, history entry and audit entry; False if it is closed already, or
    accepted already for an Accept (two officers pressing at once: one acceptance, one notice)."""
    row = await conn.fetchone(
        "SELECT status, region FROM reports WHERE id = ?", (change.report_id,)
    )
    if row is None or row[0] == CaseStatus.CLOSED:
        return False
    if change.action == "accepted" and row[0] not in UNACCEPTED:
        return False
    status = change.status or row[0]
    await conn.execute(
        "UPDATE reports SET status = ?, region = ?, updated_at = ?, "
        "resolution = coalesce(?, resolution), "
        "accepted_at = CASE WHEN ? = 'accepted' THEN coalesce(accepted_at, ?) "
        "ELSE accepted_at END, "
        "closed_at = CASE WHEN ? = 'closed' THEN ? ELSE closed_at END, "
        "contact = CASE WHEN ? THEN NULL ELSE contact END, "
        "queued_at = CASE WHEN ? THEN NULL ELSE queued_at END WHERE id = ?",
        (
            status,
            change.region or row[1],
            change.at,
            change.resolution,
            status,
            change.at,
            status,
            change.at,
            change.drop_contact,
            change.requeue,
            change.report_id,
        ),
    )
    await conn.execute(
        "INSERT INTO report_events (report_id, kind, status, created_at, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        (change.report_id, change.action, status, change.at, change.detail),
    )
    await _audit(conn, change, row[1])
    return True


async def _add_note(conn: Transaction, report_id: str, note: tuple[str, bytes], at: str) -> None:
    await conn.execute(
        "INSERT INTO report_notes (id, report_id, body, created_at, seq) VALUES (?, ?, ?, ?, "
        "(SELECT coalesce(max(seq), 0) + 1 FROM report_notes))",
        (note[0], report_id, note[1], at),
    )


async def _audit(conn: Transaction, change: Change, region: str) -> None:
    await conn.execute(
        "INSERT INTO audit (at, actor, action, report_id, region, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (change.at, change.actor, change.action, change.report_id, region, change.detail),
    )


def _case(row: Row) -> CaseRow:
    return CaseRow(
        id=row[0],
        case_no=row[1],
        region=row[2],
        category=row[3],
        occurred=row[4],
        place=None if row[5] is None else bytes(row[5]),
        body=bytes(row[6]),
        contact=None if row[7] is None else bytes(row[7]),
        locale=row[8],
        status=row[9],
        created_at=row[10],
        urgent=bool(row[11]),
        accepted_at=row[12],
        closed_at=row[13],
        resolution=row[14],
    )
