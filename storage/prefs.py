"""Each user's chosen language, keyed by a pseudonym."""

from __future__ import annotations

from storage.database import Database


class PrefsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get_locale(self, user_key: bytes) -> str | None:
        row = await self._db.fetchone(
            "SELECT locale FROM user_prefs WHERE user_key = ?", (user_key,)
        )
        return None if row is None else str(row["locale"])

    async def set_locale(self, user_key: bytes, locale: str) -> None:
        await self._db.write_own_row(
            "INSERT INTO user_prefs (user_key, locale) VALUES (?, ?) "
            "ON CONFLICT (user_key) DO UPDATE SET locale = excluded.locale",
            (user_key, locale),
        )
