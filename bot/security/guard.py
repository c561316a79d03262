"""Slows down and then refuses repeated wrong receipt codes, so codes cannot be guessed."""

from __future__ import annotations

import time
from collections.abc import Callable

from storage.attempts import AttemptsRepository, AttemptState

PURPOSE = "receipt"
FREE_FAILURES = 3
BASE_DELAY = 30.0
MAX_FAILURES = 10
BLOCK_SECONDS = 3600.0
FORGET_AFTER = 24 * 3600.0


class ReceiptGuard:
    def __init__(
        self, attempts: AttemptsRepository, clock: Callable[[], float] = time.time
    ) -> None:
        self._attempts = attempts
        self._clock = clock

    async def wait_seconds(self, user_key: bytes) -> int:
        """How long this user must wait before the next try; 0 when a try is allowed now."""
        state = await self._attempts.get(user_key, PURPOSE)
        if state is None:
            return 0
        ready_at = max(state.blocked_until, state.last_failure + _delay(state.failures))
        return max(0, int(ready_at - self._clock() + 0.999))

    async def failed(self, user_key: bytes) -> None:
        now = self._clock()
        state = await self._attempts.get(user_key, PURPOSE)
        failures = 1
        if state is not None and now - state.last_failure < FORGET_AFTER:
            failures = state.failures + 1
        blocked_until = now + BLOCK_SECONDS if failures >= MAX_FAILURES else 0.0
        if failures >= MAX_FAILURES:
            failures = 0
        await self._attempts.put(user_key, PURPOSE, AttemptState(failures, now, blocked_until))

    async def succeeded(self, user_key: bytes) -> None:
        await self._attempts.clear(user_key, PURPOSE)


def _delay(failures: int) -> float:
    if failures < FREE_FAILURES:
        return 0.0
    return BASE_DELAY * 2.0 ** (failures - FREE_FAILURES)
