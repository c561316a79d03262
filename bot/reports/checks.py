"""What a /status check is about, kept in this process only: never stored under a pseudonym.

A check learns a report from its receipt code. Kept in the FSM storage, the report's id would sit
under the user's pseudonym, and whoever holds the database and its keys could try Telegram ids
until one leads to a report whose author did not allow questions. Here the link lives in memory
while the check runs: it ends with «Done», /cancel, another /status, after ``ttl_seconds`` of
silence, or with the process (the reporter then sends the code again). Memory is bounded: past
``limit`` checks the least recently used is forgotten first.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

LIMIT = 100_000


@dataclass(slots=True)
class Check:
    report_id: str
    question_id: str | None = None
    """The question being answered, when the check is an answer."""
    last_addition: int = 0
    """The update id of the last addition stored: Telegram may deliver it again after a crash."""
    seen_at: float = 0.0


class StatusChecks:
    def __init__(
        self,
        ttl_seconds: float,
        limit: int = LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._limit = limit
        self._clock = clock
        self._checks: OrderedDict[bytes, Check] = OrderedDict()

    def start(self, user_key: bytes, report_id: str, question_id: str | None = None) -> Check:
        self._checks.pop(user_key, None)
        check = Check(report_id, question_id, seen_at=self._clock())
        self._checks[user_key] = check
        while len(self._checks) > self._limit:
            self._checks.popitem(last=False)
        return check

    def get(self, user_key: bytes) -> Check | None:
        """The user's running check, if any; silence past the TTL ended it."""
        check = self._checks.get(user_key)
        if check is None:
            return None
        now = self._clock()
        if check.seen_at + self._ttl < now:
            del self._checks[user_key]
            return None
        check.seen_at = now
        self._checks.move_to_end(user_key)
        return check

    def end(self, user_key: bytes) -> None:
        self._checks.pop(user_key, None)

    def __len__(self) -> int:
        return len(self._checks)
