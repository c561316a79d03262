"""People who receive the news broadcasts, found by a keyed hash of their chat.

A row carries no link to reports: its key has its own HMAC purpose, and its only date is a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from storage.database import Database, Row, one_of


class SubscriberStatus(StrEnum):
    ACTIVE = "active"
    OFF = "off"
    """The subscriber turned news off with /news."""
    BLOCKED = "blocked"
    """Telegram refused a message: the user blocked the bot or deleted the account."""


@dataclass(frozen=True, slots=True)
class Audience:
    """Who a broadcast goes to: everyone, or the subscribers of one region or one language."""

    region: str | None = None
    locale: str | None = None

    def pack(self) -> str:
        """``all``, ``region.<code>`` or ``locale.<code>``: also fits in callback data."""
        if self.region:
            return f"region.{self.region}"
        if self.locale:
            return f"locale.{self.locale}"
        return "all"

    @classmethod
    def unpack(cls, text: str) -> Audience:
        kind, _sep, value = text.partition(".")
        if kind == "region":
            return cls(region=value)
        if kind == "locale":
            return cls(locale=value)
        return cls()


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    chat_key: bytes
    chat_ref: bytes
    locale: str
    region: str | None
    status: SubscriberStatus


_COLUMNS = "id, chat_key, chat_ref, locale, region, status"


class SubscribersRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def get(self, chat_key: bytes) -> Subscriber | None:
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM subscribers WHERE chat_key = ?",  # noqa: S608
            (chat_key,),
        )
        return None if row is None else _subscriber(row)

    async def join(self, chat_key: bytes, chat_ref: bytes, locale: str, day: str) -> bool:
        """Subscribe a new chat, or bring back one that had blocked the bot; True if changed.

        A chat that turned news off stays off: only /news turns it back on.
        """
        async with self._db.transaction() as conn:
            changed = await conn.execute(
                "INSERT INTO subscribers (chat_key, chat_ref, locale, status, since) "
                "VALUES (?, ?, ?, 'active', ?) ON CONFLICT (chat_key) DO UPDATE SET "
                "status = 'active', since = excluded.since WHERE subscribers.status = 'blocked'",
                (chat_key, chat_ref, locale, day),
            )
            return changed > 0

    async def set_status(
        self, chat_key: bytes, chat_ref: bytes, locale: str, status: SubscriberStatus, day: str
    ) -> None:
        await self._db.execute(
            "INSERT INTO subscribers (chat_key, chat_ref, locale, status, since) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_key) DO UPDATE SET "
            "status = excluded.status, since = excluded.since",
            (chat_key, chat_ref, locale, status, day),
        )

    async def set_locale(self, chat_key: bytes, locale: str) -> None:
        await self._db.execute(
            "UPDATE subscribers SET locale = ? WHERE chat_key = ?", (locale, chat_key)
        )

    async def set_region(self, chat_key: bytes, region: str | None) -> bool:
        changed = await self._db.execute(
            "UPDATE subscribers SET region = ? WHERE chat_key = ? AND status != ?",
            (region, chat_key, SubscriberStatus.OFF),
        )
        return changed > 0

    async def count(self, audience: Audience) -> int:
        where, params = _audience_filter(audience)
        row = await self._db.fetchone(
            f"SELECT count(*) FROM subscribers WHERE {where}",  # noqa: S608
            params,
        )
        return int(row[0]) if row else 0

    async def count_by(self, column: str) -> dict[str, int]:
        """Active subscribers per ``region`` or per ``locale``."""
        if column not in ("region", "locale"):
            raise ValueError(column)
        rows = await self._db.fetchall(
            f"SELECT {column}, count(*) FROM subscribers "  # noqa: S608
            f"WHERE status = 'active' AND {column} IS NOT NULL GROUP BY {column}"
        )
        return {str(row[0]): int(row[1]) for row in rows}

    async def page(self, audience: Audience, after: int, limit: int) -> list[Subscriber]:
        """The next ``limit`` active subscribers of the audience with an id above ``after``.

        Keyset pagination over the primary key: memory stays flat however many there are.
        """
        where, params = _audience_filter(audience)
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM subscribers WHERE {where} AND id > ? "  # noqa: S608
            "ORDER BY id LIMIT ?",
            [*params, after, limit],
        )
        return [_subscriber(row) for row in rows]

    async def by_ids(self, ids: Sequence[int]) -> list[Subscriber]:
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM subscribers WHERE {one_of('id', ids)} ORDER BY id",  # noqa: S608
            list(ids),
        )
        return [_subscriber(row) for row in rows]


def _audience_filter(audience: Audience) -> tuple[str, list[str]]:
    where, params = "status = 'active'", []
    if audience.region:
        where += " AND region = ?"
        params.append(audience.region)
    if audience.locale:
        where += " AND locale = ?"
        params.append(audience.locale)
    return where, params


def _subscriber(row: Row) -> Subscriber:
    return Subscriber(
        id=row[0],
        chat_key=bytes(row[1]),
        chat_ref=bytes(row[2]),
        locale=row[3],
        region=row[4],
        status=SubscriberStatus(row[5]),
    )
