"""How many reports each user may submit a day (``REPORTS_PER_DAY``), counted in memory only.

Nothing stored may link a pseudonym to when it submitted a report (reports are not linked to the
account), so the counts live in this process: one number per user for the current day in
``TIMEZONE``, all dropped when the day changes. A restart resets them; for a limit on spam that
is acceptable. Only users who submitted today take memory, so it is bounded by the day's reports.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo


class DailyQuota:
    def __init__(self, limit: int, zone: tzinfo, now: Callable[[], datetime]) -> None:
        self._limit = limit
        self._zone = zone
        self._now = now
        self._day: date | None = None
        self._counts: dict[bytes, int] = {}

    def _today(self) -> date:
        today = self._now().astimezone(self._zone).date()
        if today != self._day:
            self._day, self._counts = today, {}
        return today

    def next_day(self, user_key: bytes) -> date | None:
        """None while the user may submit today; otherwise the day from which they may again."""
        today = self._today()
        if self._counts.get(user_key, 0) < self._limit:
            return None
        return today + timedelta(days=1)

    def spend(self, user_key: bytes) -> None:
        self._today()
        self._counts[user_key] = self._counts.get(user_key, 0) + 1
