"""The workspace's case board and deadlines view: cases of a set of regions, filtered and sorted.

Every query takes ``regions``: the codes the viewer may see, or None for every region. The text
and place stay sealed here; the full-text search opens them for the request, above this layer
(``bot.workspace.board``), reading the filtered cases ``SCAN_BATCH`` at a time (``scan``).
Times are ISO text in UTC, all written alike (``storage.times``), so they compare as text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.core.deadlines import Deadlines
from bot.core.values import OPEN, UNACCEPTED
from storage.database import Database, Row, one_of

SCAN_BATCH = 500
_COLUMNS = "id, case_no, region, category, {status}, created_at, urgent, place, body"
_DAYS = {
    "sqlite": "julianday(created_at)",
    "postgresql": "extract(epoch FROM CAST(created_at AS timestamptz)) / 86400.0",
}
"""A case's reception time in days, to add a deadline's days to."""


def _statuses(statuses: Collection[str]) -> str:
    """``status IN (…)`` of these fixed values, written out (they are the code's own)."""
    return f"status IN ({', '.join(repr(str(s)) for s in sorted(statuses))})"


def shown_status(now: float) -> str:
    """A case's status as officers may see it at ``now``: a case the reporter's answer made
    accepted again stays awaiting the reporter while anything the reporter sent waits for its
    random relay delay (bot/cases/relay.py), or the status would tell when they were online
    before the chat card does. ``now`` is a number of our own, written into the statement."""
    return (
        "CASE WHEN status = 'accepted' AND EXISTS (SELECT 1 FROM outbox o "  # noqa: S608
        "WHERE o.report_id = reports.id AND o.status = 'pending' "
        "AND o.kind IN ('answer', 'addition', 'attachment') "
        f"AND o.next_attempt > {float(now)!r}) "
        "AND (SELECT q.answered_at FROM questions q WHERE q.report_id = reports.id "
        "ORDER BY q.asked_at DESC, q.id DESC LIMIT 1) IS NOT NULL "
        "THEN 'awaiting_reporter' ELSE status END"
    )


_UNACCEPTED = _statuses(UNACCEPTED)
_ACCEPTED = _statuses(OPEN - UNACCEPTED)
_OPEN = _statuses(OPEN)


class Order(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    DEADLINE = "deadline"
    """The nearest deadline first (overdue ones first of all), closed cases last."""


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A case as the board shows it: never the reporter's contact."""

    id: str
    case_no: int
    region: str
    category: str
    status: str
    created_at: str
    urgent: bool
    place: bytes | None
    body: bytes


@dataclass(frozen=True, slots=True)
class BoardFilter:
    regions: Collection[str] | None
    """The viewer's regions: None for every one."""
    region: str | None = None
    status: str | None = None
    sphere: str | None = None
    urgent: bool = False
    received_from: str | None = None
    """ISO time in UTC, inclusive."""
    received_before: str | None = None
    """ISO time in UTC, exclusive."""
    overdue_at: datetime | None = None
    """Only cases past their deadline (``Deadlines.of``) at this moment."""
    shown_at: float = 0.0
    """Now, as a Unix time: statuses are as officers may see them then (``shown_status``)."""


@dataclass(frozen=True, slots=True)
class OpenCase:
    row: BoardRow
    accepted_by: bytes | None
    """The audit actor of the case's latest acceptance, if it is accepted now."""


class BoardRepository:
    def __init__(self, database: Database, deadlines: Deadlines) -> None:
        self._db = database
        self._deadlines = deadlines
        days = _DAYS[database.dialect]
        # Whole days from the settings, not text: safe in the statement, and no parameter
        # whose type asyncpg would have to guess in an ORDER BY.
        self._orders = {
            Order.NEWEST: "created_at DESC, case_no DESC",
            Order.OLDEST: "created_at, case_no",
            Order.DEADLINE: f"status = 'closed', {days} + CASE WHEN {_UNACCEPTED} "
            f"THEN {int(deadlines.ack_days)} ELSE {int(deadlines.answer_days)} END, case_no",
        }

    async def counts(self, where: BoardFilter) -> dict[str, int]:
        """Cases per status that meet ``where`` but for its status."""
        sql, params = self._where(where, with_status=False)
        rows = await self._db.fetchall(
            f"SELECT {shown_status(where.shown_at)}, count(*) FROM reports "  # noqa: S608
            f"WHERE {sql} GROUP BY 1",
            params,
        )
        return {row[0]: int(row[1]) for row in rows}

    async def cases(
        self, where: BoardFilter, order: Order, limit: int, offset: int = 0
    ) -> list[BoardRow]:
        sql, params = self._where(where)
        rows = await self._db.fetchall(
            f"SELECT {_columns(where)} FROM reports WHERE {sql} "  # noqa: S608
            f"ORDER BY {self._orders[order]} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_board_row(row) for row in rows]

    async def scan(self, where: BoardFilter, order: Order) -> AsyncIterator[list[BoardRow]]:
        """Every case that meets ``where``, in ``order``, ``SCAN_BATCH`` at a time: their
        numbers in order first, then the rows by number (a sort that carries only numbers,
        not the sealed texts)."""
        sql, params = self._where(where)
        numbers = [
            row[0]
            for row in await self._db.fetchall(
                f"SELECT case_no FROM reports WHERE {sql} "  # noqa: S608
                f"ORDER BY {self._orders[order]}",
                params,
            )
        ]
        for start in range(0, len(numbers), SCAN_BATCH):
            batch = numbers[start : start + SCAN_BATCH]
            rows = await self._db.fetchall(
                f"SELECT {_columns(where)} FROM reports "  # noqa: S608
                f"WHERE {one_of('case_no', batch)}",
                batch,
            )
            found = {row.case_no: row for row in map(_board_row, rows)}
            yield [found[number] for number in batch if number in found]

    async def shown_status(self, report_id: str, now: float) -> str | None:
        """One case's status as officers may see it at ``now`` (``shown_status``)."""
        row = await self._db.fetchone(
            f"SELECT {shown_status(now)} FROM reports WHERE id = ?",  # noqa: S608
            (report_id,),
        )
        return None if row is None else str(row[0])

    async def open_cases(self, regions: Collection[str] | None, now: float) -> list[OpenCase]:
        """The open cases of ``regions``, each with who accepted it (if it is accepted)."""
        where = BoardFilter(regions, shown_at=now)
        sql, params = self._where(where)
        rows = await self._db.fetchall(
            f"SELECT {_columns(where)}, CASE WHEN {_UNACCEPTED} THEN NULL ELSE "  # noqa: S608
            "(SELECT a.actor FROM audit a WHERE a.report_id = reports.id "
            "AND a.action = 'accepted' ORDER BY a.id DESC LIMIT 1) END "
            f"FROM reports WHERE {_OPEN} AND {sql} ORDER BY {self._orders[Order.DEADLINE]}",
            params,
        )
        return [
            OpenCase(_board_row(row), None if row[9] is None else bytes(row[9])) for row in rows
        ]

    def _where(self, where: BoardFilter, *, with_status: bool = True) -> tuple[str, list[object]]:
        terms: list[str] = []
        params: list[object] = []

        def term(sql: str, *values: object) -> None:
            terms.append(sql)
            params.extend(values)

        if where.regions is not None:
            term(one_of("region", where.regions), *sorted(where.regions))
        if where.region is not None:
            term("region = ?", where.region)
        if with_status and where.status is not None:
            term(f"{shown_status(where.shown_at)} = ?", where.status)
        if where.sphere is not None:
            term("category = ?", where.sphere)
        if where.urgent:
            term("urgent = 1")
        if where.received_from is not None:
            term("created_at >= ?", where.received_from)
        if where.received_before is not None:
            term("created_at < ?", where.received_before)
        if where.overdue_at is not None:
            ack, answer = self._deadlines.ack_days, self._deadlines.answer_days
            term(
                f"(({_UNACCEPTED} AND created_at < ?) OR ({_ACCEPTED} AND created_at < ?))",
                _iso(where.overdue_at - timedelta(days=ack)),
                _iso(where.overdue_at - timedelta(days=answer)),
            )
        return " AND ".join(terms) or "TRUE", params


def _columns(where: BoardFilter) -> str:
    return _COLUMNS.format(status=shown_status(where.shown_at))


def _iso(moment: datetime) -> str:
    """As reports' times are written: ISO text in UTC (to the second here)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _board_row(row: Row) -> BoardRow:
    return BoardRow(
        id=row[0],
        case_no=row[1],
        region=row[2],
        category=row[3],
        status=row[4],
        created_at=row[5],
        urgent=bool(row[6]),
        place=None if row[7] is None else bytes(row[7]),
        body=bytes(row[8]),
    )
