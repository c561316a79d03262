"""Departments (one per region), the chats linked to them, and one-time invite codes."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    region: str
    name_kk: str
    name_ru: str
    locale: str
    last_digest_at: str | None

    def name(self, locale: str) -> str:
        return self.name_kk if locale == "kk" else self.name_ru


@dataclass(frozen=True, slots=True)
class ChatLink:
    chat_key: bytes
    chat_ref: bytes
    region: str
    kind: str
    refused_at: str | None = None
    """When the chat last refused a message; None once it accepts one again."""
    locale: str | None = None
    """The chat's own language; None until someone chooses it."""


class DepartmentsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def seed(self, rows: list[tuple[str, str, str]], locale: str) -> None:
        """Create missing departments; names already edited by admins are kept."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO departments (region, name_kk, name_ru, locale) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (region) DO NOTHING",
                [(region, kk, ru, locale) for region, kk, ru in rows],
            )

    async def all(self) -> list[DepartmentRow]:
        rows = await self._db.fetchall(
            "SELECT region, name_kk, name_ru, locale, last_digest_at FROM departments "
            "ORDER BY region"
        )
        return [DepartmentRow(*row) for row in rows]

    async def get(self, region: str) -> DepartmentRow | None:
        row = await self._db.fetchone(
            "SELECT region, name_kk, name_ru, locale, last_digest_at FROM departments "
            "WHERE region = ?",
            (region,),
        )
        return None if row is None else DepartmentRow(*row)

    async def rename(self, region: str, locale: str, name: str) -> bool:
        column = "name_kk" if locale == "kk" else "name_ru"
        changed = await self._db.execute(
            f"UPDATE departments SET {column} = ? WHERE region = ?",  # noqa: S608
            (name, region),
        )
        return changed > 0

    async def set_last_digest(self, region: str, at: str) -> None:
        await self._db.execute(
            "UPDATE departments SET last_digest_at = ? WHERE region = ?", (at, region)
        )

    async def link(self, link: ChatLink, linked_at: str) -> None:
        """A chat linked to one more region keeps the language it reads already."""
        await self._db.execute(
            "INSERT INTO department_chats "
            "(chat_key, region, chat_ref, kind, linked_at, locale, seq) "
            "VALUES (?, ?, ?, ?, ?, (SELECT locale FROM department_chats WHERE chat_key = ? "
            "AND locale IS NOT NULL LIMIT 1), (SELECT coalesce(max(seq), 0) + 1 "
            "FROM department_chats)) ON CONFLICT (chat_key, region) DO UPDATE SET "
            "chat_ref = excluded.chat_ref",
            (link.chat_key, link.region, link.chat_ref, link.kind, linked_at, link.chat_key),
        )

    async def chat_locale(self, chat_key: bytes) -> str | None:
        """The language a linked chat reads: its own, or else its department's; None for a chat
        that is not a department chat."""
        row = await self._db.fetchone(
            "SELECT coalesce(link.locale, department.locale) FROM department_chats AS link "
            "JOIN departments AS department USING (region) WHERE link.chat_key = ? "
            "ORDER BY link.locale IS NULL LIMIT 1",
            (chat_key,),
        )
        return None if row is None else str(row[0])

    async def reading_locale(self, chat_key: bytes, region: str | None, default: str) -> str:
        """The language a chat reads: a department chat's; another chat (the admins' copy of an
        unrouted case) that of the department of ``region``; ``default`` for none."""
        chosen = await self.chat_locale(chat_key)
        if chosen is not None:
            return chosen
        department = await self.get(region) if region else None
        return department.locale if department else default

    async def set_chat_locale(self, chat_key: bytes, locale: str) -> int:
        """The language of every link of the chat; the number of links (0: not linked)."""
        return await self._db.execute(
            "UPDATE department_chats SET locale = ? WHERE chat_key = ?", (locale, chat_key)
        )

    async def unlink(self, chat_key: bytes, region: str | None = None) -> int:
        if region is None:
            return await self._db.execute(
                "DELETE FROM department_chats WHERE chat_key = ?", (chat_key,)
            )
        return await self._db.execute(
            "DELETE FROM department_chats WHERE chat_key = ? AND region = ?", (chat_key, region)
        )

    async def chats(self, region: str | None = None) -> list[ChatLink]:
        where, params = ("WHERE region = ?", (region,)) if region else ("", ())
        rows = await self._db.fetchall(
            "SELECT chat_key, chat_ref, region, kind, refused_at, locale "  # noqa: S608
            f"FROM department_chats {where} ORDER BY region, linked_at",
            params,
        )
        return [ChatLink(bytes(row[0]), bytes(row[1]), *row[2:]) for row in rows]

    async def regions_of(self, chat_key: bytes) -> set[str]:
        rows = await self._db.fetchall(
            "SELECT region FROM department_chats WHERE chat_key = ?", (chat_key,)
        )
        return {row[0] for row in rows}

    async def refused(self, chat_key: bytes, at: str) -> None:
        """The chat refused a message; kept until it accepts one (``OutboxRepository.sent``)."""
        await self._db.execute(
            "UPDATE department_chats SET refused_at = ? WHERE chat_key = ?", (at, chat_key)
        )

    async def move_chat(self, old_key: bytes, new_key: bytes, new_ref: bytes) -> None:
        """A group became a supergroup: its links follow it to the new chat id."""
        await self._db.execute(
            "UPDATE department_chats SET chat_key = ?, chat_ref = ? WHERE chat_key = ?",
            (new_key, new_ref, old_key),
        )

    async def create_invite(self, code_hash: bytes, region: str, expires_at: float) -> None:
        await self._db.execute(
            "INSERT INTO invites (code_hash, region, expires_at) VALUES (?, ?, ?)",
            (code_hash, region, expires_at),
        )

    async def redeem_invite(self, code_hash: bytes, now: float) -> str | None:
        """Use a code once: the region it links to, or None if unknown, used or expired."""
        async with self._db.transaction() as conn:
            row = await conn.fetchone(
                "UPDATE invites SET used_at = ? WHERE code_hash = ? AND used_at IS NULL "
                "AND expires_at > ? RETURNING region",
                (now, code_hash, now),
            )
        return None if row is None else str(row[0])
