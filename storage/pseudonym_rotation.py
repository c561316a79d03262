"""Rows rewritten or emptied when the pseudonym (HMAC) key is replaced.

Each rewrite goes a batch of rows per transaction and records, in the same transaction, the last
row it did (``meta``, ``pseudonym_rotation:<table>``): a rerun after a crash continues after it and
never rewrites a row twice, which matters where the new value is computed from the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage.database import Database

Row = dict[str, Any]
BATCH = 500
CURSOR = "pseudonym_rotation:"


@dataclass(frozen=True, slots=True)
class Rewrite:
    """Rows of ``table`` after ``key`` order, ``where`` holds; ``columns`` are read and written."""

    table: str
    columns: tuple[str, ...]
    key: str = "id"
    where: str = "TRUE"
    numbered: bool = False
    """Whether ``key`` is a number (else text): how the cursor, kept as bytes, reads back."""

    @property
    def name(self) -> str:
        return f"{self.table}.{', '.join(self.columns)}"


DEPARTMENT_CHATS = Rewrite("department_chats", ("chat_key", "chat_ref"), key="seq", numbered=True)
OUTBOX = Rewrite(
    "outbox", ("kind", "chat_key", "chat_ref", "report_id", "payload"), where="length(chat_ref) > 0"
)
SUBSCRIBERS = Rewrite("subscribers", ("chat_key", "chat_ref"))
AUDIT = Rewrite("audit", ("actor",))
BROADCASTS = Rewrite("broadcasts", ("author",))
OFFICERS = Rewrite("officers", ("user_key", "added_by", "removed_by"))


class PseudonymRotationRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def rewrite_batch(
        self, rewrite: Rewrite, change: Callable[[Row], Row | None]
    ) -> int | None:
        """Up to ``BATCH`` rows after the cursor: ``change`` returns the new values of a row, or
        None to leave it. Returns the rows changed; None when no row was left."""
        cursor_name = CURSOR + rewrite.table
        columns = ", ".join(rewrite.columns)
        async with self._db.transaction(durable=True) as conn:
            found = await conn.fetchone("SELECT value FROM meta WHERE name = ?", (cursor_name,))
            after = _key(rewrite, bytes(found[0])) if found else None
            rows = [
                dict(row)
                for row in await conn.fetchall(
                    f"SELECT {rewrite.key} AS row_key, {columns} FROM {rewrite.table} "  # noqa: S608
                    f"WHERE ({rewrite.where}) "
                    f"{'' if after is None else f'AND {rewrite.key} > ? '}"
                    f"ORDER BY {rewrite.key} LIMIT ?",
                    (BATCH,) if after is None else (after, BATCH),
                )
            ]
            if not rows:
                return None
            changed = 0
            for row in rows:
                values = change(row)
                if values is None:
                    continue
                assignments = ", ".join(f"{column} = ?" for column in values)
                await conn.execute(
                    f"UPDATE {rewrite.table} SET {assignments} WHERE {rewrite.key} = ?",  # noqa: S608
                    (*values.values(), row["row_key"]),
                )
                changed += 1
            await conn.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (cursor_name, str(rows[-1]["row_key"]).encode()),
            )
        return changed

    async def unfinished(self) -> bool:
        """Whether a rotation left its cursors: it started and did not reach ``finish``."""
        row = await self._db.fetchone(
            "SELECT 1 FROM meta WHERE name LIKE ? LIMIT 1", (CURSOR + "%",)
        )
        return row is not None

    async def drop_unrecomputable(self) -> dict[str, int]:
        """Delete the rows keyed by a pseudonym of a Telegram id that no sealed value gives back
        and that may go: drafts and every other FSM row, the drafts' files, language choices,
        wrong-code counters, and invite codes, for chats and for officers (their codes are not
        kept)."""
        statements = {
            "fsm": "DELETE FROM fsm",
            "attachments": "DELETE FROM attachments WHERE report_id IS NULL",
            "user_prefs": "DELETE FROM user_prefs",
            "attempts": "DELETE FROM attempts",
            "invites": "DELETE FROM invites",
            "officer_invites": "DELETE FROM officer_invites",
        }
        counts = {}
        async with self._db.transaction(durable=True) as conn:
            for table, statement in statements.items():
                counts[table] = await conn.execute(statement)
        return counts

    async def forget_file_keys(self) -> int:
        """A file's key (to recognise it sent twice to a report) is a keyed hash of Telegram's
        file id, which is not kept: it cannot be moved, and only costs a duplicate if lost."""
        return await self._db.execute(
            "UPDATE attachments SET file_key = NULL WHERE file_key IS NOT NULL"
        )

    async def sealed_officers(self) -> list[tuple[str, bytes]]:
        """Every officer ever on a roster (removed ones too: the audit names them): id, person."""
        rows = await self._db.fetchall("SELECT id, person FROM officers")
        return [(str(row[0]), bytes(row[1])) for row in rows]

    async def renew_submission_keys(self) -> int:
        """Submission keys only stop a draft being stored twice; every draft is gone, so any
        fresh random value serves."""
        fresh = {
            "sqlite": "randomblob(32)",
            "postgresql": "sha256(convert_to(id || random()::text || clock_timestamp(), 'UTF8'))",
        }[self._db.dialect]
        return await self._db.execute(f"UPDATE reports SET submission_key = {fresh}")  # noqa: S608

    async def finish(self, values: dict[str, bytes], drop: tuple[str, ...]) -> None:
        """Swap the keys (``values`` into ``meta``), drop ``drop`` and the cursors, at once."""
        async with self._db.transaction(durable=True) as conn:
            await conn.executemany(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )
            await conn.executemany("DELETE FROM meta WHERE name = ?", [(n,) for n in drop])
            await conn.execute("DELETE FROM meta WHERE name LIKE ?", (CURSOR + "%",))


def _key(rewrite: Rewrite, cursor: bytes) -> int | str:
    text = cursor.decode()
    return int(text) if rewrite.numbered else text
