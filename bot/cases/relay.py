"""When the reporter's answers and additions reach the department: after a random delay.

Relayed the moment the reporter writes, they would tell an official who watches suspects' "last
seen" in Telegram when the reporter was online. Each answer or addition waits a random number of
seconds within ``RELAY_DELAY_MINUTES`` (drawn with ``secrets``), and the wait is stored as the
outbox item's due time, so a restart keeps it. Urgent cases ("happening right now") wait less
than a minute.
"""

from __future__ import annotations

import secrets

URGENT_MAX_SECONDS = 50


class RelayDelay:
    def __init__(self, minutes: tuple[int, int]) -> None:
        self._low, self._high = minutes[0] * 60, minutes[1] * 60

    def seconds(self, *, urgent: bool) -> int:
        low, high = (0, min(self._high, URGENT_MAX_SECONDS)) if urgent else (self._low, self._high)
        return low + secrets.randbelow(high - low + 1)
