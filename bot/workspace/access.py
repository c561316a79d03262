"""Who a workspace request comes from, and what they may see, decided at the moment it comes.

A person gets in while they are an admin (``ADMIN_IDS``) or on the roster of at least one
region; they see the cases and departments of their regions only. Everything a request may be
refused for (no session, a forged or expired one, a person no longer on the roster) is one
refusal, and a case outside their regions is the same "not found" as a case that never existed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.departments.roster import Role, Roster
from bot.workspace import initdata
from bot.workspace.sessions import Session, SessionTokens
from storage.webapp import WebappRepository


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person behind a request, as the roster has them now."""

    user_id: int
    admin: bool
    roles: dict[str, Role]
    session: Session

    @property
    def regions(self) -> frozenset[str] | None:
        """The regions whose cases they see: None for every region (an admin)."""
        return None if self.admin else frozenset(self.roles)

    def sees(self, region: str) -> bool:
        return self.admin or region in self.roles

    def heads(self, region: str) -> bool:
        return self.admin or self.roles.get(region) == Role.HEAD

    @property
    def managed(self) -> frozenset[str] | None:
        """The regions whose department and roster they manage (``Roster.managed``): None for
        every region (an admin), none for an officer."""
        return None if self.admin else frozenset(r for r in self.roles if self.heads(r))


class WorkspaceAccess:
    def __init__(
        self,
        *,
        roster: Roster,
        tokens: SessionTokens,
        logins: WebappRepository,
        bot_token: str,
        max_age: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._roster = roster
        self._tokens = tokens
        self._logins = logins
        self._bot_token = bot_token
        self._max_age = max_age
        self._clock = clock

    async def login(self, init_data: str) -> tuple[str, Viewer] | None:
        """Exchange ``initData`` for a session token: (token, viewer), or None. Each
        ``initData`` is exchanged once: a copy replayed is refused."""
        now = self._clock()
        login = initdata.verify(init_data, self._bot_token, max_age=self._max_age, now=now)
        if login is None:
            return None
        token, session = self._tokens.issue(login.user_id, now, login.language_code)
        viewer = await self._viewer(session)
        if viewer is None:
            return None
        digest = hashlib.sha256(login.hash.encode()).hexdigest()
        if not await self._logins.claim(digest, login.auth_date + self._max_age, now):
            return None
        return token, viewer

    async def viewer(self, token: str) -> Viewer | None:
        session = self._tokens.read(token, self._clock())
        return None if session is None else await self._viewer(session)

    async def _viewer(self, session: Session) -> Viewer | None:
        admin = self._roster.is_admin(session.user_id)
        roles = await self._roster.roles(session.user_id)
        if not admin and not roles:
            return None
        return Viewer(session.user_id, admin, roles, session)
