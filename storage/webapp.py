"""What the web workspace keeps: the logins already made, so that none is made twice."""

from __future__ import annotations

from storage.database import Database


class WebappRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def claim(self, digest: str, expires_at: float, now: float) -> bool:
        """Record a login by the digest of its signature; False if it was made before. Logins
        past their expiry are forgotten here: an expired ``initData`` is refused before it is
        looked up."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM webapp_logins WHERE expires_at < ?", (now,))
            added = await conn.execute(
                "INSERT INTO webapp_logins (digest, expires_at) VALUES (?, ?) "
                "ON CONFLICT (digest) DO NOTHING",
                (digest, expires_at),
            )
        return added == 1
