"""Deleting what is kept no longer, and getting its bytes out of the database files."""

from __future__ import annotations

from storage.counters import LAST_DELETED_CASE_NO
from storage.database import Database


class RetentionRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def delete_closed_cases(self, closed_before: str, limit: int) -> int:
        """Delete up to ``limit`` cases closed before ``closed_before`` (ISO, UTC).

        Their files, notes, questions, history and outbox rows go with them (ON DELETE CASCADE);
        their audit entries stay. The highest deleted number is remembered so that no later case
        takes it again.
        """
        async with self._db.transaction(durable=True) as conn:
            rows = await conn.fetchall(
                "SELECT id, case_no FROM reports WHERE status = 'closed' AND closed_at < ? "
                "ORDER BY closed_at LIMIT ?",
                (closed_before, limit),
            )
            cases = list(rows)
            if not cases:
                return 0
            await conn.executemany("DELETE FROM reports WHERE id = ?", [(c[0],) for c in cases])
            await conn.execute(
                "INSERT INTO counters (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = greatest(counters.value, excluded.value)",
                (LAST_DELETED_CASE_NO, max(case[1] for case in cases)),
            )
        return len(cases)

    async def delete_spent_invites(self, before: float) -> int:
        """Invite codes, for chats and for persons, used or expired unused before ``before``."""
        return await self._db.execute(
            "DELETE FROM invites WHERE coalesce(used_at, expires_at) < ?", (before,)
        ) + await self._db.execute(
            "DELETE FROM officer_invites WHERE coalesce(used_at, expires_at) < ?", (before,)
        )

    async def delete_sent_messages(self, before: float) -> int:
        """Outbox rows of no case (headers, reminders, alerts, notices to reporters) sent or
        given up before ``before``, except those a pending row still replies to."""
        return await self._db.execute(
            "DELETE FROM outbox WHERE report_id IS NULL AND status IN ('sent', 'dropped') "
            "AND coalesce(sent_at, created_at) < ? AND id NOT IN (SELECT parent_id FROM outbox "
            "WHERE parent_id IS NOT NULL AND status = 'pending')",
            (before,),
        )

    async def delete_recipients(self, finished_before: float, keep_latest: int) -> int:
        """Recipient rows of broadcasts done or cancelled before ``finished_before``, except the
        ``keep_latest`` newest broadcasts, whose counts are still shown."""
        return await self._db.execute(
            "DELETE FROM broadcast_recipients WHERE broadcast_id IN (SELECT id FROM broadcasts "
            "WHERE status IN ('done', 'cancelled') "
            "AND coalesce(finished_at, started_at, scheduled_at) < ? "
            "AND id NOT IN (SELECT id FROM broadcasts ORDER BY id DESC LIMIT ?))",
            (finished_before, keep_latest),
        )

    async def checkpoint(self) -> bool:
        """SQLite: copy the WAL into the database file and truncate it, so that it keeps no old
        image of a deleted page; False if another connection's read kept it from finishing.
        PostgreSQL: vacuum, so that the space of deleted rows is reused (overwritten) soon."""
        if self._db.dialect == "postgresql":
            await self._db.execute_outside_transaction("VACUUM")
            return True
        row = await self._db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        return row is not None and row[0] == 0

    async def vacuum(self) -> None:
        """Rebuild the files without their free space; needs about their size in free disk."""
        statement = "VACUUM FULL" if self._db.dialect == "postgresql" else "VACUUM"
        await self._db.execute_outside_transaction(statement)
