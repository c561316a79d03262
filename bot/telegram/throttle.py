"""Flood limits: a token bucket per user (by pseudonym) for messages, another for button presses.

Over the limit, the user is told once a minute to slow down, in their language; every other
update over the limit reaches no handler and writes nothing. The buckets live in memory, at most
``MAX_USERS`` of them, so that a flood from many accounts cannot exhaust it; the least recently
active go first (a bucket left alone for three minutes is full again: forgetting it changes
nothing). With ``REDIS_URL`` the replicas share the buckets in Redis instead
(bot/replicas/throttle.py); the middleware takes either as ``Buckets``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.telegram.i18n import LocaleChooser
from bot.telegram.isolation import KeyedLocks

MAX_USERS = 100_000
WARN_EVERY = 60.0


@dataclass(frozen=True, slots=True)
class Rate:
    per_minute: float
    burst: int


# An album of ten photos, or a long text Telegram splits into parts, comes as a burst.
MESSAGES = Rate(per_minute=20, burst=60)
PRESSES = Rate(per_minute=60, burst=60)


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


class Buckets(Protocol):
    async def take(self, key: bytes) -> Verdict: ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float
    warned: float | None = None


class TokenBuckets:
    def __init__(
        self,
        rate: Rate,
        max_users: int = MAX_USERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._max_users = max_users
        self._clock = clock
        self._buckets: OrderedDict[bytes, _Bucket] = OrderedDict()

    @property
    def users(self) -> int:
        return len(self._buckets)

    async def take(self, key: bytes) -> Verdict:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self._rate.burst), now)
            if len(self._buckets) > self._max_users:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            refill = (now - bucket.updated) * self._rate.per_minute / 60
            bucket.tokens = min(float(self._rate.burst), bucket.tokens + refill)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        if bucket.warned is None or now - bucket.warned >= WARN_EVERY:
            bucket.warned = now
            return Verdict.WARN
        return Verdict.DROP


class ThrottleMiddleware(BaseMiddleware):
    """Outer, on updates, right after the pseudonym: nothing over the limit touches storage.

    The pseudonym is computed in memory, so a dropped update costs no database read; only the
    one warning a minute reads the language (the chat's, or the user's saved one), to speak it.
    """

    def __init__(
        self, messages: Buckets, presses: Buckets, i18n: I18n, choose: LocaleChooser
    ) -> None:
        self._messages = messages
        self._presses = presses
        self._i18n = i18n
        self._choose = choose
        self._arrival: KeyedLocks[bytes] = KeyedLocks()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user_key: bytes | None = data.get("user_key")
        inner = _limited(event)
        if user_key is None or inner is None:
            return await handler(event, data)
        buckets = self._presses if isinstance(inner, CallbackQuery) else self._messages
        async with self._arrival.lock(user_key):
            # Buckets in Redis answer out of order; one user's updates leave here, and so reach
            # the update lock, in the order they came (a message, then the button after it).
            verdict = await buckets.take(user_key)
        if verdict is Verdict.ALLOW:
            return await handler(event, data)
        if verdict is Verdict.WARN:
            locale = await self._choose(data)
            with self._i18n.context(), self._i18n.use_locale(locale):
                await _slow_down(inner)
        return UNHANDLED


def _limited(event: TelegramObject) -> Message | CallbackQuery | None:
    """The message or button press an update carries; other updates are not limited."""
    if not isinstance(event, Update):
        return None
    return event.message or event.callback_query


def slow_down_text() -> str:
    return _(
        "You are sending too much too quickly. Please wait a minute: until then the bot does "
        "not answer."
    )


async def _slow_down(event: Message | CallbackQuery) -> None:
    """A toast for a press; a message only in a private chat, where the bot is spoken to."""
    text = slow_down_text()
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=False)
    elif event.chat.type == ChatType.PRIVATE:
        await event.answer(text)
