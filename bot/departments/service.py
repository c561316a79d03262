"""Departments and the chats that serve them: invites, links, and where a region's mail goes."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core import receipt
from bot.core.catalog import Catalog
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines, Urgency
from bot.core.values import CaseStatus
from bot.security.addresses import ChatAddress, ChatAddresses
from bot.security.crypto import Pseudonyms
from bot.settings import SUPPORTED_LOCALES, Settings
from storage.cases import CasesRepository
from storage.departments import ChatLink, DepartmentRow, DepartmentsRepository

INVITE_SECONDS = 24 * 3600
INVITE_LENGTH = 12
LINKER_TAG_BYTES = 6


def new_invite_code() -> str:
    """A one-time code: for a chat (``/invite``) or for a person (the roster)."""
    return "".join(secrets.choice(receipt.ALPHABET) for _ in range(INVITE_LENGTH))


def normalise_code(code: str) -> str:
    return code.strip().upper().replace("-", "")


@dataclass(frozen=True, slots=True)
class Targets:
    """Where a region's messages go; ``unrouted`` when no department chat is linked."""

    addresses: list[ChatAddress]
    unrouted: bool
    locales: dict[bytes, str]
    """The language each address reads, by its key."""


UNDELIVERED_AFTER = timedelta(days=1)
"""A new case no chat has received for this long means the digests are not getting through."""


@dataclass(frozen=True, slots=True)
class DepartmentStatus:
    department: DepartmentRow
    chats: int
    pending: int
    overdue: int
    refusing: int = 0
    """Linked chats that refused the bot's last message."""
    undelivered: int = 0
    """Open cases still waiting for their first delivery after ``UNDELIVERED_AFTER``."""

    @property
    def in_order(self) -> bool:
        return bool(self.chats) and not (self.overdue or self.refusing or self.undelivered)


class DepartmentService:
    def __init__(
        self,
        departments: DepartmentsRepository,
        cases: CasesRepository,
        chats: ChatAddresses,
        pseudonyms: Pseudonyms,
        settings: Settings,
        deadlines: Deadlines,
    ) -> None:
        self._departments = departments
        self._cases = cases
        self._chats = chats
        self._pseudonyms = pseudonyms
        self._settings = settings
        self._deadlines = deadlines

    async def seed(self, catalog: Catalog) -> None:
        """One department per region, named after it until the admins rename it."""
        await self._departments.seed(
            [(entry.code, entry.names["kk"], entry.names["ru"]) for entry in catalog.regions],
            self._settings.default_locale,
        )

    async def invite(self, region: str) -> str | None:
        """A one-time code valid 24 hours, or None for an unknown region."""
        if await self._departments.get(region) is None:
            return None
        code = new_invite_code()
        await self._departments.create_invite(
            self._invite_hash(code), region, time.time() + INVITE_SECONDS
        )
        return code

    async def join(self, code: str, chat_id: int, kind: str) -> str | None:
        """Link the chat to the invite's department; the region, or None for a bad code."""
        region = await self._departments.redeem_invite(
            self._invite_hash(normalise_code(code)), time.time()
        )
        if region is None:
            return None
        address = self._chats.address(chat_id)
        await self._departments.link(
            ChatLink(address.key, address.ref, region, kind), utc_now().isoformat()
        )
        return region

    async def unlink(self, chat_id: int, region: str | None = None) -> int:
        return await self._departments.unlink(self._chats.key(chat_id), region)

    async def unlink_region(self, region: str) -> int:
        return sum(
            [
                await self._departments.unlink(link.chat_key, region)
                for link in await self._departments.chats(region)
            ]
        )

    async def regions_of(self, chat_id: int) -> set[str]:
        return await self._departments.regions_of(self._chats.key(chat_id))

    async def department(self, region: str) -> DepartmentRow | None:
        return await self._departments.get(region)

    async def rename(self, region: str, locale: str, name: str) -> bool:
        return await self._departments.rename(region, locale, name)

    async def targets(self, region: str) -> Targets:
        """The region's chats, each with its own language (the department's until one is
        chosen); the admins, in the department's language, for a region without a chat."""
        links = await self._departments.chats(region)
        department = await self._departments.get(region)
        default = department.locale if department else self._settings.default_locale
        if links:
            addresses = [ChatAddress(link.chat_key, link.chat_ref) for link in links]
            locales = {link.chat_key: link.locale or default for link in links}
            return Targets(addresses, False, locales)
        admins = self.admin_addresses()
        return Targets(admins, True, dict.fromkeys((admin.key for admin in admins), default))

    def linker_tag(self, chat_id: int, user_id: int) -> str:
        """A short keyed tag of who linked a chat, for their language button: it names nobody."""
        digest = self._pseudonyms.digest("chat-linker", chat_id, user_id)[:LINKER_TAG_BYTES]
        return base64.urlsafe_b64encode(digest).decode()

    async def locale_of(self, chat_key: bytes, region: str | None) -> str:
        """The language a chat reads: a department chat's; another chat (the admins' copy of an
        unrouted case) that of the department of ``region``; the default for none."""
        return await self._departments.reading_locale(
            chat_key, region, self._settings.default_locale
        )

    async def chat_locale(self, chat_id: int) -> str | None:
        """The language of a department chat (its own, else its department's); None for a chat
        that is not linked."""
        return await self._departments.chat_locale(self._chats.key(chat_id))

    async def set_chat_locale(self, chat_id: int, locale: str) -> bool:
        """Choose the language of a linked chat; False for a chat that is not linked or a
        language the bot does not speak."""
        if locale not in SUPPORTED_LOCALES:
            return False
        return await self._departments.set_chat_locale(self._chats.key(chat_id), locale) > 0

    def admin_addresses(self) -> list[ChatAddress]:
        fallback = self._settings.fallback_chat_id
        ids = [fallback] if fallback is not None else sorted(self._settings.admin_ids)
        return [self._chats.address(chat_id) for chat_id in ids]

    async def overview(self, now: datetime) -> list[DepartmentStatus]:
        links = await self._departments.chats()
        open_cases = await self._cases.open_cases()
        result = []
        late = (now - UNDELIVERED_AFTER).isoformat()
        for department in await self._departments.all():
            mine = [case for case in open_cases if case.region == department.region]
            chats = [link for link in links if link.region == department.region]
            result.append(
                DepartmentStatus(
                    department,
                    chats=len(chats),
                    pending=len(mine),
                    overdue=sum(
                        self._deadlines.urgency(case, now) == Urgency.OVERDUE for case in mine
                    ),
                    refusing=sum(link.refused_at is not None for link in chats),
                    undelivered=sum(
                        case.status == CaseStatus.NEW and case.created_at < late for case in mine
                    ),
                )
            )
        return result

    def _invite_hash(self, code: str) -> bytes:
        return self._pseudonyms.digest("invite", code)
