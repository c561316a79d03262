"""Deleting what is kept no longer, and getting its bytes out of the database files."""

from __future__ import annotations

from storage.database import Database
from storage.meta import LAST_DELETED_CASE_NO


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
            cursor = await conn.execute(
                "SELECT id, case_no FROM reports WHERE status = 'closed' AND closed_at < ? "
                "ORDER BY closed_at LIMIT ?",
                (closed_before, limit),
            )
            cases = list(await cursor.fetchall())
            if not cases:
                return 0
            await conn.executemany("DELETE FROM reports WHERE id = ?", [(c[0],) for c in cases])
            await conn.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
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
        """Copy the WAL into the database file and truncate it, so that it keeps no old image of
        a deleted page; False if another connection's read kept it from finishing."""
        row = await self._db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        return row is not None and row[0] == 0

    async def vacuum(self) -> None:
        """Rebuild the file without its free pages; needs about its size in free disk."""
        await self._db.fetchone("VACUUM")
