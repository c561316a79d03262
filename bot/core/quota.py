"""What each user may do in a day, counted in memory only: reports (``REPORTS_PER_DAY``) and
bytes of evidence files (``FILE_MB_PER_DAY``).

Nothing stored may link a pseudonym to when it submitted a report or sent a file (reports are
not linked to the account), so the counts live in this process: one number per user for the
current day in ``TIMEZONE``, all dropped when the day changes. A restart resets them; for a limit
on spam that is acceptable. At most ``MAX_USERS`` users are counted, the least recently active
forgotten first, so that a flood from many accounts cannot exhaust the memory.

With ``REDIS_URL`` the replicas share the counts in Redis instead (bot/replicas/quota.py); the
services accept either as a ``Quota``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

MAX_USERS = 100_000


class Quota(Protocol):
    @property
    def limit(self) -> int: ...

    async def allows(self, user_key: bytes, amount: int = 1) -> bool:
        """Whether ``amount`` more still fits in the user's day."""

    async def next_day(self, user_key: bytes) -> date | None:
        """None while the user may submit today; otherwise the day from which they may again."""

    async def spend(self, user_key: bytes, amount: int = 1) -> None: ...


class DailyQuota:
    def __init__(
        self,
        limit: int,
        zone: tzinfo,
        now: Callable[[], datetime],
        max_users: int = MAX_USERS,
    ) -> None:
        self._limit = limit
        self._zone = zone
        self._now = now
        self._max_users = max_users
        self._day: date | None = None
        self._counts: OrderedDict[bytes, int] = OrderedDict()

    @property
    def limit(self) -> int:
        return self._limit

    def _today(self) -> date:
        today = self._now().astimezone(self._zone).date()
        if today != self._day:
            self._day, self._counts = today, OrderedDict()
        return today

    async def allows(self, user_key: bytes, amount: int = 1) -> bool:
        self._today()
        return self._counts.get(user_key, 0) + amount <= self._limit

    async def next_day(self, user_key: bytes) -> date | None:
        today = self._today()
        if await self.allows(user_key):
            return None
        return today + timedelta(days=1)

    async def spend(self, user_key: bytes, amount: int = 1) -> None:
        self._today()
        self._counts[user_key] = self._counts.get(user_key, 0) + amount
        self._counts.move_to_end(user_key)
        if len(self._counts) > self._max_users:
            self._counts.popitem(last=False)
