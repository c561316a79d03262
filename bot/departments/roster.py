"""The roster of officers: the people who may act on a department's cases, and who they are.

Chats stay where a department's mail goes; the roster decides who may press its buttons and send
its commands. An admin invites a person to a region with a role (an officer, or a head, who may
also invite and remove that region's officers): a one-time personal code that the person sends
to the bot in a private chat. Officers are accountable, not protected: the roster keeps their
Telegram id, name and username (sealed), under the same keyed hash the audit log uses as its
actor, so ``/audit`` names them. Admins (``ADMIN_IDS``) may always act.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot.core.clock import new_id, utc_now
from bot.departments.service import (
    INVITE_SECONDS,
    DepartmentService,
    new_invite_code,
    normalise_code,
)
from bot.security.addresses import ChatAddresses
from bot.security.crypto import Cipher, Pseudonyms
from storage.roster import Enrolment, OfficerRow, RosterRepository

SERVICE_ACCOUNTS = frozenset({777000, 1087968824, 136817688})
"""Telegram (777000), GroupAnonymousBot (1087968824) and Channel_Bot (136817688): messages of
anonymous group admins, channels and Telegram itself come from these, whoever sent them."""


class Role(StrEnum):
    OFFICER = "officer"
    HEAD = "head"


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    name: str
    username: str | None = None


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    region: str
    role: Role
    person: Person
    removed: bool = False


def person_aad(officer_id: str) -> str:
    return f"officers:{officer_id}:person"


class Roster:
    def __init__(
        self,
        *,
        repository: RosterRepository,
        departments: DepartmentService,
        chats: ChatAddresses,
        cipher: Cipher,
        pseudonyms: Pseudonyms,
        admin_ids: frozenset[int],
    ) -> None:
        self._repository = repository
        self._departments = departments
        self._chats = chats
        self._cipher = cipher
        self._pseudonyms = pseudonyms
        self._admin_ids = admin_ids

    def is_admin(self, user_id: int) -> bool:
        return user_id in self._admin_ids

    async def invite(self, region: str, role: Role, inviter_id: int) -> str | None:
        """A personal one-time code valid 24 hours, or None for an unknown region."""
        if await self._departments.department(region) is None:
            return None
        code = new_invite_code()
        await self._repository.create_invite(
            self._code_hash(code),
            region,
            role,
            self._chats.actor(inviter_id),
            time.time() + INVITE_SECONDS,
        )
        return code

    async def join(self, code: str, person: Person) -> tuple[str, Role] | None:
        """Put the code's bearer on its region's roster: (region, role), or None for a bad code."""
        sealed = json.dumps(
            {"id": person.user_id, "name": person.name, "username": person.username},
            ensure_ascii=False,
        ).encode()
        joined = await self._repository.join(
            self._code_hash(normalise_code(code)),
            time.time(),
            Enrolment(
                officer_id=new_id(),
                user_key=self._chats.actor(person.user_id),
                seal=lambda officer_id: self._cipher.seal(sealed, person_aad(officer_id)),
                at=utc_now().isoformat(),
            ),
        )
        return None if joined is None else (joined[0], Role(joined[1]))

    async def void(self, code: str) -> bool:
        """A personal code sent into a group: spent, so no reader of the group can use it."""
        return await self._repository.void_invite(
            self._code_hash(normalise_code(code)), time.time()
        )

    async def roles(self, user_id: int) -> dict[str, Role]:
        """The regions the person is on the roster of, with their role there."""
        rows = await self._repository.active_of(self._chats.actor(user_id))
        return {row.region: Role(row.role) for row in rows}

    async def may_act(self, user_id: int, regions: Iterable[str]) -> bool:
        """An admin, or on the roster of every one of ``regions``, at this moment."""
        if self.is_admin(user_id):
            return True
        return set(regions) <= set(await self.roles(user_id))

    async def managed(self, user_id: int) -> frozenset[str] | None:
        """The regions whose roster the person manages: None (every one) for an admin."""
        if self.is_admin(user_id):
            return None
        return frozenset(r for r, role in (await self.roles(user_id)).items() if role == Role.HEAD)

    async def members(
        self, regions: frozenset[str] | None, *, removed: bool = False
    ) -> list[Officer]:
        """The roster of ``regions`` (None: every region); with ``removed``, those taken off it
        too (marked ``removed``)."""
        rows = await self._repository.members(removed=removed)
        return [self._open(row) for row in rows if regions is None or row.region in regions]

    async def remove(
        self, region: str, who: str, remover_id: int, roles: frozenset[Role] = frozenset(Role)
    ) -> Officer | None:
        """Take a person off a region's roster; ``who`` is their Telegram id or @username, and
        only someone with one of ``roles`` there (a head removes officers, not heads)."""
        wanted = who.strip()
        for officer in await self.members(frozenset({region})):
            person = officer.person
            if officer.role in roles and (
                wanted == str(person.user_id)
                or (person.username and wanted.lstrip("@").lower() == person.username.lower())
            ):
                return await self._take_off(officer, remover_id)
        return None

    async def remove_entry(
        self,
        officer_id: str,
        remover_id: int,
        regions: frozenset[str] | None,
        roles: frozenset[Role] = frozenset(Role),
    ) -> Officer | None:
        """Take a roster entry (by its id, as the workspace names it) off, if it is on the
        roster of one of ``regions`` (None: any) with one of ``roles``."""
        for officer in await self.members(regions):
            if officer.id == officer_id and officer.role in roles:
                return await self._take_off(officer, remover_id)
        return None

    async def _take_off(self, officer: Officer, remover_id: int) -> Officer | None:
        removed = await self._repository.remove(
            officer.id, self._chats.actor(remover_id), utc_now().isoformat()
        )
        return officer if removed else None

    async def names(self, actors: Iterable[bytes]) -> dict[bytes, Person]:
        """Who is behind each audit actor: officers by their roster identity, admins by their
        id alone (an empty name; their names are not stored)."""
        wanted = set(actors)
        found = {self._chats.actor(admin): Person(admin, "") for admin in self._admin_ids}
        for row in await self._repository.known(wanted):
            found[row.user_key] = self._open(row).person
        return {actor: found[actor] for actor in wanted if actor in found}

    def _open(self, row: OfficerRow) -> Officer:
        data = json.loads(self._cipher.open(row.person, person_aad(row.id)))
        return Officer(
            id=row.id,
            region=row.region,
            role=Role(row.role),
            person=Person(int(data["id"]), str(data["name"]), data.get("username")),
            removed=row.removed_at is not None,
        )

    def _code_hash(self, code: str) -> bytes:
        return self._pseudonyms.digest("officer-invite", code)
