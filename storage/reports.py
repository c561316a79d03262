"""Reports, their history and the reporter's later additions. Confidential columns arrive sealed."""

from __future__ import annotations

from dataclasses import dataclass

from storage.counters import LAST_DELETED_CASE_NO
from storage.database import Database, Transaction


@dataclass(frozen=True, slots=True)
class NewReport:
    id: str
    receipt_hash: bytes
    submission_key: bytes
    region: str
    category: str
    occurred: str
    place: bytes | None
    body: bytes
    contact: bytes | None
    locale: str
    created_at: str
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class ReportRow:
    id: str
    region: str
    category: str
    occurred: str
    place: bytes | None
    body: bytes
    locale: str
    status: str
    created_at: str
    case_no: int | None = None
    resolution: str | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    kind: str
    status: str
    created_at: str
    detail: str | None = None


_REPORT_COLUMNS = (
    "id, region, category, occurred, place, body, locale, status, created_at, case_no, resolution"
)


class ReportsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def submit(self, report: NewReport, draft_id: str) -> bool:
        """Store the report, its first event and its draft's files in one durable transaction.

        Returns False when this submission was stored before (a repeated Submit, or the same
        update delivered again after a restart), in which case nothing changes.
        """
        async with self._db.transaction(durable=True) as conn:
            changed = await conn.execute(
                "INSERT INTO reports (id, receipt_hash, submission_key, region, category, "
                "occurred, place, body, contact, locale, status, created_at, updated_at, urgent, "
                "case_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, "
                "(SELECT greatest(coalesce(max(case_no), 0), (SELECT coalesce(max(value), 0) "
                "FROM counters WHERE name = ?)) + 1 FROM reports)) "
                "ON CONFLICT (submission_key) DO NOTHING",
                (
                    report.id,
                    report.receipt_hash,
                    report.submission_key,
                    report.region,
                    report.category,
                    report.occurred,
                    report.place,
                    report.body,
                    report.contact,
                    report.locale,
                    report.created_at,
                    report.created_at,
                    report.urgent,
                    LAST_DELETED_CASE_NO,
                ),
            )
            if changed == 0:
                return False
            await conn.execute(
                "INSERT INTO report_events (report_id, kind, status, created_at) "
                "VALUES (?, 'submitted', 'new', ?)",
                (report.id, report.created_at),
            )
            await conn.execute(
                "UPDATE attachments SET report_id = ?, draft_id = NULL "
                "WHERE draft_id = ? AND report_id IS NULL",
                (report.id, draft_id),
            )
        return True

    async def find_by_receipt(self, receipt_hash: bytes) -> ReportRow | None:
        row = await self._db.fetchone(
            f"SELECT {_REPORT_COLUMNS} FROM reports WHERE receipt_hash = ?",  # noqa: S608
            (receipt_hash,),
        )
        return None if row is None else ReportRow(*row)

    async def rehash_receipt(self, report_id: str, receipt_hash: bytes) -> None:
        await self._db.execute(
            "UPDATE reports SET receipt_hash = ? WHERE id = ?", (receipt_hash, report_id)
        )

    async def get(self, report_id: str) -> ReportRow | None:
        row = await self._db.fetchone(
            f"SELECT {_REPORT_COLUMNS} FROM reports WHERE id = ?",  # noqa: S608
            (report_id,),
        )
        return None if row is None else ReportRow(*row)

    async def submission_key(self, report_id: str) -> bytes | None:
        row = await self._db.fetchone(
            "SELECT submission_key FROM reports WHERE id = ?", (report_id,)
        )
        return None if row is None else row[0]

    async def events(self, report_id: str) -> list[EventRow]:
        rows = await self._db.fetchall(
            "SELECT kind, status, created_at, detail FROM report_events WHERE report_id = ? "
            "ORDER BY id",
            (report_id,),
        )
        return [EventRow(*row) for row in rows]

    async def stored_items(self, report_id: str) -> int:
        """Notes (additions and answers) and files the report holds."""
        row = await self._db.fetchone(
            "SELECT (SELECT count(*) FROM report_notes WHERE report_id = ?) + "
            "(SELECT count(*) FROM attachments WHERE report_id = ?)",
            (report_id, report_id),
        )
        return row[0] if row else 0

    async def record_addition(self, report_id: str, created_at: str) -> None:
        async with self._db.transaction() as conn:
            await record_addition_in(conn, report_id, created_at)


async def record_addition_in(conn: Transaction, report_id: str, created_at: str) -> None:
    """The report's history gains «information added», in the caller's transaction."""
    await conn.execute(
        "INSERT INTO report_events (report_id, kind, status, created_at) "
        "SELECT id, 'info_added', status, ? FROM reports WHERE id = ?",
        (created_at, report_id),
    )
