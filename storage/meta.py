"""Small named values the application keeps in the database."""

from __future__ import annotations

from storage.database import Database

FILE_NAMES_FORGOTTEN = "file_names_forgotten"
"""Present once the files stored with the names reporters gave them have lost those names."""
RECORDINGS_MASKED = "recordings_masked"
"""Present once the voices stored before the bot masked voices have been masked."""


class MetaRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, name: str) -> bytes | None:
        row = await self._db.fetchone("SELECT value FROM meta WHERE name = ?", (name,))
        return None if row is None else bytes(row["value"])

    async def put_if_absent(self, name: str, value: bytes) -> bytes:
        """Store ``value`` unless one is there already; return the stored one."""
        async with self._db.transaction(durable=True) as conn:
            await conn.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, value),
            )
            row = await conn.fetchone("SELECT value FROM meta WHERE name = ?", (name,))
        assert row is not None  # noqa: S101 - inserted or already present in this transaction
        return bytes(row["value"])
