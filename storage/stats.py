"""Numbers about reports for admins and departments, and the rows of a case export.

Every query takes ``regions``: the codes the requester may see, or None for every region.
Aggregates are computed by the database; nothing here loads all reports at once. Times are kept
as ISO text, and each dialect has its own words for arithmetic on them (``_TIME``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from storage.database import Database, Row, one_of

EXPORT_BATCH = 500
_TIME = {
    "sqlite": {
        "seconds_to": "(julianday({end}) - julianday(created_at)) * 86400.0",
        "late": "julianday(created_at, ?) < julianday(?)",
        "week": "date(created_at, ?, 'weekday 0', '-6 days')",
    },
    "postgresql": {
        "seconds_to": "CAST(extract(epoch FROM CAST({end} AS timestamptz) "
        "- CAST(created_at AS timestamptz)) AS double precision)",
        # A parameter is text, cast in SQL: asyncpg would want Python's own interval and time.
        "late": "CAST(created_at AS timestamptz) + CAST(CAST(? AS text) AS interval) "
        "< CAST(CAST(? AS text) AS timestamptz)",
        "week": "to_char(date_trunc('week', CAST(created_at AS timestamptz) AT TIME ZONE 'UTC' "
        "+ CAST(CAST(? AS text) AS interval)), 'YYYY-MM-DD')",
    },
}
_UNTIL = ("accepted", "closed")
_COUNTED = ("region", "category", "status")


@dataclass(frozen=True, slots=True)
class ExportRow:
    """A case as exported: everything but the reporter's contact."""

    id: str
    case_no: int
    region: str
    category: str
    occurred: str
    place: bytes | None
    body: bytes
    status: str
    resolution: str | None
    created_at: str
    accepted_at: str | None
    closed_at: str | None
    urgent: bool
    attachments: int


@dataclass(frozen=True, slots=True)
class BroadcastReach:
    """What became of one broadcast's messages; ``failed`` includes the unconfirmed."""

    id: int
    created_at: str
    sent: int
    blocked: int
    failed: int


class StatsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._time = _TIME[database.dialect]

    async def total(self, regions: Sequence[str] | None) -> int:
        where, params = _scope(regions)
        row = await self._db.fetchone(
            f"SELECT count(*) FROM reports WHERE {where}",  # noqa: S608
            params,
        )
        return row[0] if row else 0

    async def counts(self, column: str, regions: Sequence[str] | None) -> list[tuple[str, int]]:
        """Reports per value of ``column`` (region, category or status), most first."""
        if column not in _COUNTED:
            raise ValueError(f"cannot count by {column!r}")
        where, params = _scope(regions)
        rows = await self._db.fetchall(
            f"SELECT {column}, count(*) AS n FROM reports WHERE {where} "  # noqa: S608
            f"GROUP BY {column} ORDER BY n DESC, {column}",
            params,
        )
        return [(row[0], row[1]) for row in rows]

    async def weekly(
        self, regions: Sequence[str] | None, since: str, offset_minutes: int
    ) -> list[tuple[str, int]]:
        """New reports per week (its Monday, ``YYYY-MM-DD``) from the week of ``since``.

        ``offset_minutes`` shifts the stored UTC times into local time before finding the week.
        """
        where, params = _scope(regions)
        rows = await self._db.fetchall(
            f"SELECT week, count(*) FROM (SELECT {self._time['week']} "  # noqa: S608
            f"AS week FROM reports WHERE {where}) AS weeks WHERE week >= ? "
            "GROUP BY week ORDER BY week",
            (f"{offset_minutes:+d} minutes", *params, since),
        )
        return [(row[0], row[1]) for row in rows]

    async def median_seconds(self, until: str, regions: Sequence[str] | None) -> float | None:
        """Median seconds from submission to ``until`` ("accepted" or "closed"); None if none."""
        if until not in _UNTIL:
            raise ValueError(f"no time of {until!r}")
        duration = self._time["seconds_to"].format(end=f"{until}_at")
        where, params = _scope(regions)
        condition = f"{until}_at IS NOT NULL AND {where}"
        row = await self._db.fetchone(
            f"SELECT count(*) FROM reports WHERE {condition}",  # noqa: S608
            params,
        )
        count = row[0] if row else 0
        if not count:
            return None
        # The middle row, or the mean of the two middle rows when the count is even.
        row = await self._db.fetchone(
            f"SELECT avg(d) FROM (SELECT {duration} AS d FROM reports "  # noqa: S608
            f"WHERE {condition} ORDER BY d LIMIT ? OFFSET ?) AS durations",
            (*params, 2 - count % 2, (count - 1) // 2),
        )
        return None if row is None or row[0] is None else float(row[0])

    async def overdue(
        self, regions: Sequence[str] | None, now: str, ack_days: int, answer_days: int
    ) -> list[tuple[str, int]]:
        """Open cases past their deadline per region, by the rule of ``Deadlines.of``."""
        where, params = _scope(regions)
        rows = await self._db.fetchall(
            "SELECT region, count(*) FROM reports WHERE ("  # noqa: S608
            f"(status IN ('new', 'delivered') AND {self._time['late']}) OR "
            "(status IN ('accepted', 'awaiting_reporter') "
            f"AND {self._time['late']})) AND {where} "
            "GROUP BY region ORDER BY region",
            (f"+{ack_days} days", now, f"+{answer_days} days", now, *params),
        )
        return [(row[0], row[1]) for row in rows]

    async def subscribers_by_locale(self) -> list[tuple[str, int]]:
        """Active news subscribers per language, most first."""
        rows = await self._db.fetchall(
            "SELECT locale, count(*) AS n FROM subscribers WHERE status = 'active' "
            "GROUP BY locale ORDER BY n DESC, locale"
        )
        return [(row[0], row[1]) for row in rows]

    async def broadcast_reach(self, limit: int) -> list[BroadcastReach]:
        """The latest broadcasts that started sending, newest first."""
        rows = await self._db.fetchall(
            "SELECT b.id, b.created_at, "
            "(SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = b.id "
            "AND r.status = 'sent'), "
            "(SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = b.id "
            "AND r.status = 'blocked'), "
            "(SELECT count(*) FROM broadcast_recipients r WHERE r.broadcast_id = b.id "
            "AND r.status IN ('failed', 'unconfirmed')) "
            "FROM broadcasts b WHERE b.started_at IS NOT NULL ORDER BY b.id DESC LIMIT ?",
            (limit,),
        )
        return [BroadcastReach(*row) for row in rows]

    async def unrouted(self, regions: Sequence[str] | None) -> int:
        """Open reports of regions with no linked department chat: they go to the admins."""
        return await self._count(
            "SELECT count(*) FROM reports WHERE status <> 'closed' "
            "AND region NOT IN (SELECT region FROM department_chats) AND {where}",
            regions,
        )

    async def given_up(self, regions: Sequence[str] | None) -> int:
        """Outbox messages the bot gave up on (a reporter who blocked it, a case closed before
        its card went…); within regions, those about their reports."""
        about = "TRUE" if regions is None else "report_id IN (SELECT id FROM reports WHERE {where})"
        return await self._count(
            f"SELECT count(*) FROM outbox WHERE status = 'dropped' AND {about}",  # noqa: S608
            regions,
        )

    async def refusing_chats(self, regions: Sequence[str] | None) -> int:
        """Department chats whose last delivery was refused."""
        return await self._count(
            "SELECT count(DISTINCT chat_key) FROM department_chats "
            "WHERE refused_at IS NOT NULL AND {where}",
            regions,
        )

    async def _count(self, query: str, regions: Sequence[str] | None) -> int:
        """``query``'s single number, its ``{where}`` limited to ``regions``."""
        where, params = _scope(regions)
        row = await self._db.fetchone(query.format(where=where), params)
        return row[0] if row else 0

    async def export_batches(
        self, regions: Sequence[str] | None, size: int = EXPORT_BATCH
    ) -> AsyncIterator[list[ExportRow]]:
        """Cases by number, ``size`` at a time (keyset pagination, no long-held lock)."""
        where, params = _scope(regions)
        after = 0
        while True:
            rows = await self._db.fetchall(
                "SELECT id, case_no, region, category, occurred, place, body, status, "  # noqa: S608
                "resolution, created_at, accepted_at, closed_at, urgent, "
                "(SELECT count(*) FROM attachments WHERE report_id = reports.id) "
                f"FROM reports WHERE case_no > ? AND {where} ORDER BY case_no LIMIT ?",
                (after, *params, size),
            )
            if not rows:
                return
            yield [_export_row(row) for row in rows]
            if len(rows) < size:
                return
            after = rows[-1][1]

    async def record_export(
        self, actor: bytes, regions: Sequence[str] | None, detail: str, at: str
    ) -> None:
        await self._db.execute(
            "INSERT INTO audit (at, actor, action, report_id, region, detail) "
            "VALUES (?, ?, 'export', NULL, ?, ?)",
            (at, actor, None if regions is None else ",".join(sorted(regions)), detail),
        )


def _scope(regions: Sequence[str] | None) -> tuple[str, tuple[str, ...]]:
    if regions is None:
        return "TRUE", ()
    return one_of("region", regions), tuple(regions)


def _export_row(row: Row) -> ExportRow:
    return ExportRow(
        id=row[0],
        case_no=row[1],
        region=row[2],
        category=row[3],
        occurred=row[4],
        place=None if row[5] is None else bytes(row[5]),
        body=bytes(row[6]),
        status=row[7],
        resolution=row[8],
        created_at=row[9],
        accepted_at=row[10],
        closed_at=row[11],
        urgent=bool(row[12]),
        attachments=row[13],
    )
