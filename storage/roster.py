"""The roster of officers: the people (not chats) who may act on a region's cases.

``user_key`` is the keyed hash of the person's Telegram id that the audit log uses as its actor,
so an audit entry can be named; ``person`` (id, name, username) is sealed. A removed officer's
row stays, marked removed, so the audit log can still name who did what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from storage.database import Database, Row, one_of

_COLUMNS = "id, user_key, region, role, person, added_at, removed_at"


@dataclass(frozen=True, slots=True)
class OfficerRow:
    id: str
    user_key: bytes
    region: str
    role: str
    person: bytes
    added_at: str
    removed_at: str | None


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A person joining with a personal code: their new row's id, key and sealed identity."""

    officer_id: str
    user_key: bytes
    seal: Callable[[str], bytes]
    """The identity sealed for the row id it is given (the existing row's, on a re-join)."""
    at: str


class RosterRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def create_invite(
        self, code_hash: bytes, region: str, role: str, invited_by: bytes, expires_at: float
    ) -> None:
        await self._db.execute(
            "INSERT INTO officer_invites (code_hash, region, role, invited_by, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (code_hash, region, role, invited_by, expires_at),
        )

    async def void_invite(self, code_hash: bytes, now: float) -> bool:
        """Spend a code that was shown where others could read it; True if it was valid."""
        return (
            await self._db.execute(
                "UPDATE officer_invites SET used_at = ? WHERE code_hash = ? AND used_at IS NULL "
                "AND expires_at > ?",
                (now, code_hash, now),
            )
            > 0
        )

    async def join(
        self, code_hash: bytes, now: float, enrolment: Enrolment
    ) -> tuple[str, str] | None:
        """Use a code once and put its bearer on the roster: (region, role), or None.

        Joining a region one is already on changes the role and refreshes the identity.
        """
        async with self._db.transaction(durable=True) as conn:
            invite = await conn.fetchone(
                "UPDATE officer_invites SET used_at = ? WHERE code_hash = ? AND used_at IS NULL "
                "AND expires_at > ? RETURNING region, role, invited_by",
                (now, code_hash, now),
            )
            if invite is None:
                return None
            region, role, invited_by = str(invite[0]), str(invite[1]), bytes(invite[2])
            existing = await conn.fetchone(
                "SELECT id FROM officers WHERE user_key = ? AND region = ? AND removed_at IS NULL",
                (enrolment.user_key, region),
            )
            if existing is not None:
                await conn.execute(
                    "UPDATE officers SET role = ?, person = ? WHERE id = ?",
                    (role, enrolment.seal(existing[0]), existing[0]),
                )
            else:
                await conn.execute(
                    "INSERT INTO officers (id, user_key, region, role, person, added_at, "
                    "added_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        enrolment.officer_id,
                        enrolment.user_key,
                        region,
                        role,
                        enrolment.seal(enrolment.officer_id),
                        enrolment.at,
                        invited_by,
                    ),
                )
        return region, role

    async def active_of(self, user_key: bytes) -> list[OfficerRow]:
        """The person's current places on the roster, one per region."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM officers "  # noqa: S608
            "WHERE user_key = ? AND removed_at IS NULL ORDER BY region",
            (user_key,),
        )
        return [_officer(row) for row in rows]

    async def members(
        self, region: str | None = None, *, removed: bool = False
    ) -> list[OfficerRow]:
        """Everyone on the roster now (and with ``removed``, those taken off it too), of one
        region or of all, by region and joining time."""
        where, params = ("AND region = ?", (region,)) if region else ("", ())
        current = "TRUE" if removed else "removed_at IS NULL"
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM officers WHERE {current} {where} "  # noqa: S608
            "ORDER BY region, added_at",
            params,
        )
        return [_officer(row) for row in rows]

    async def known(self, user_keys: Iterable[bytes]) -> list[OfficerRow]:
        """Every row, removed ones too, of these people: to name them in the audit log."""
        keys = list(dict.fromkeys(user_keys))
        if not keys:
            return []
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM officers WHERE {one_of('user_key', keys)} "  # noqa: S608
            "ORDER BY added_at",
            keys,
        )
        return [_officer(row) for row in rows]

    async def remove(self, officer_id: str, by: bytes, at: str) -> bool:
        return (
            await self._db.execute(
                "UPDATE officers SET removed_at = ?, removed_by = ? "
                "WHERE id = ? AND removed_at IS NULL",
                (at, by, officer_id),
            )
            > 0
        )


def _officer(row: Row) -> OfficerRow:
    return OfficerRow(
        id=row[0],
        user_key=bytes(row[1]),
        region=row[2],
        role=row[3],
        person=bytes(row[4]),
        added_at=row[5],
        removed_at=row[6],
    )
