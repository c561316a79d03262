"""SQLite's own checks of the database file (PostgreSQL checks its own, and enforces every
foreign key: it has nothing to report here)."""

from __future__ import annotations

from collections import Counter

from storage.database import Database

INTEGRITY_ERRORS_SHOWN = 5


class DatabaseHealth:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def integrity_errors(self) -> list[str]:
        """The first errors ``PRAGMA integrity_check`` finds; empty when the file is sound."""
        if self._db.dialect == "postgresql":
            return []
        rows = await self._db.fetchall(f"PRAGMA integrity_check({INTEGRITY_ERRORS_SHOWN})")
        errors = [" ".join(str(row[0]).split()) for row in rows]  # some span lines
        return [] if errors == ["ok"] else errors

    async def foreign_key_violations(self) -> Counter[str]:
        """Rows pointing at a row that does not exist, counted by table."""
        if self._db.dialect == "postgresql":
            return Counter()
        rows = await self._db.fetchall("PRAGMA foreign_key_check")
        return Counter(str(row[0]) for row in rows)
