"""Evidence files, sealed; attached to a draft until its report is submitted."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from storage.database import Database


@dataclass(frozen=True, slots=True)
class NewAttachment:
    id: str
    kind: str
    size: int
    meta: bytes
    data: bytes
    created_at: float


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    id: str
    kind: str
    size: int
    meta: bytes
    data: bytes


@dataclass(frozen=True, slots=True)
class ListedAttachment:
    """A file without its content."""

    id: str
    kind: str
    size: int
    meta: bytes


class AttachmentsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(
        self,
        attachment: NewAttachment,
        *,
        draft_id: str | None = None,
        report_id: str | None = None,
        file_key: bytes | None = None,
    ) -> None:
        """``file_key`` is a keyed hash of the file's identity within its report (or draft): the
        same file twice in one report is refused by a unique index."""
        await self._db.execute(
            "INSERT INTO attachments (id, report_id, draft_id, kind, size, meta, data, created_at, "
            "file_key, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "(SELECT coalesce(max(seq), 0) + 1 FROM attachments))",
            (
                attachment.id,
                report_id,
                draft_id,
                attachment.kind,
                attachment.size,
                attachment.meta,
                attachment.data,
                attachment.created_at,
                file_key,
            ),
        )

    async def has_file_key(self, file_key: bytes) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM attachments WHERE file_key = ? LIMIT 1", (file_key,)
        )
        return row is not None

    async def stored_bytes(
        self, *, report_id: str | None = None, draft_id: str | None = None
    ) -> int:
        """The size of the files a report holds, or a draft not yet submitted."""
        row = await self._db.fetchone(
            "SELECT coalesce(sum(size), 0) FROM attachments "
            "WHERE report_id = ? OR (report_id IS NULL AND draft_id = ?)",
            (report_id, draft_id),
        )
        return row[0] if row else 0

    async def delete_draft(self, draft_id: str) -> int:
        return await self._db.execute(
            "DELETE FROM attachments WHERE draft_id = ? AND report_id IS NULL", (draft_id,)
        )

    async def for_report(self, report_id: str) -> list[AttachmentRow]:
        rows = await self._db.fetchall(
            "SELECT id, kind, size, meta, data FROM attachments WHERE report_id = ? "
            "ORDER BY created_at, seq",
            (report_id,),
        )
        return [AttachmentRow(*row) for row in rows]

    async def listed(self, report_id: str) -> list[ListedAttachment]:
        """A report's files, oldest first, without loading their bytes."""
        rows = await self._db.fetchall(
            "SELECT id, kind, size, meta FROM attachments WHERE report_id = ? "
            "ORDER BY created_at, seq",
            (report_id,),
        )
        return [ListedAttachment(row[0], row[1], row[2], bytes(row[3])) for row in rows]

    async def kinds_for(self, report_id: str) -> list[tuple[str, str]]:
        """(id, kind) of a report's files, oldest first, without loading their bytes."""
        rows = await self._db.fetchall(
            "SELECT id, kind FROM attachments WHERE report_id = ? ORDER BY created_at, seq",
            (report_id,),
        )
        return [(row[0], row[1]) for row in rows]

    async def get(self, attachment_id: str) -> AttachmentRow | None:
        row = await self._db.fetchone(
            "SELECT id, kind, size, meta, data FROM attachments WHERE id = ?", (attachment_id,)
        )
        return None if row is None else AttachmentRow(*row)

    async def place(self, attachment_id: str) -> tuple[int, int]:
        """The file's place among its report's files, from 1, oldest first, and how many files
        the report has now ((0, 0): not in a report). Times are kept to the hour, so files of
        one hour are in the order they were stored."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FILTER (WHERE (other.created_at, other.seq) "
            "<= (file.created_at, file.seq)), COUNT(*) FROM attachments AS other "
            "JOIN attachments AS file ON other.report_id = file.report_id WHERE file.id = ?",
            (attachment_id,),
        )
        return (int(row[0]), int(row[1])) if row else (0, 0)

    async def metas_after(self, after: str, limit: int) -> list[tuple[str, bytes]]:
        """A page of (id, sealed meta), by id, after ``after``: the files' bytes are not read."""
        rows = await self._db.fetchall(
            "SELECT id, meta FROM attachments WHERE id > ? ORDER BY id LIMIT ?", (after, limit)
        )
        return [(row[0], bytes(row[1])) for row in rows]

    async def ids_of_kinds(self, kinds: Collection[str], after: str, limit: int) -> list[str]:
        """A page of the ids of files of ``kinds``, by id, after ``after``."""
        marks = ", ".join("?" * len(kinds))
        rows = await self._db.fetchall(
            f"SELECT id FROM attachments WHERE kind IN ({marks}) AND id > ? "  # noqa: S608
            "ORDER BY id LIMIT ?",
            (*sorted(kinds), after, limit),
        )
        return [row[0] for row in rows]

    async def replace_content(
        self, attachment_id: str, kind: str, size: int, meta: bytes, data: bytes
    ) -> None:
        """A file rewritten in place (a voice masked): its kind, size, meta and content."""
        async with self._db.transaction(durable=True) as conn:
            await conn.execute(
                "UPDATE attachments SET kind = ?, size = ?, meta = ?, data = ? WHERE id = ?",
                (kind, size, meta, data, attachment_id),
            )

    async def replace_metas(self, metas: list[tuple[str, bytes]]) -> None:
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE attachments SET meta = ? WHERE id = ?",
                [(meta, attachment_id) for attachment_id, meta in metas],
            )

    async def purge_orphans(self, cutoff: float) -> int:
        """Delete files of drafts abandoned before ``cutoff``."""
        return await self._db.execute(
            "DELETE FROM attachments WHERE report_id IS NULL AND created_at < ?", (cutoff,)
        )
