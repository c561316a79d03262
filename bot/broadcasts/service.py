"""Admins' awareness broadcasts: creating, scheduling and steering them; the runner sends them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from bot.broadcasts.content import Content
from bot.core.clock import utc_now
from bot.security.addresses import ChatAddresses
from bot.security.crypto import Cipher
from bot.ui.callbacks import Control
from storage.broadcasts import (
    BroadcastRow,
    BroadcastsRepository,
    BroadcastStatus,
    NewBroadcast,
    RecipientStatus,
    Sealed,
)
from storage.subscribers import Audience

RECENT = 10


_TRANSITIONS: dict[Control, tuple[BroadcastStatus, tuple[BroadcastStatus, ...]]] = {
    Control.PAUSE: (BroadcastStatus.PAUSED, (BroadcastStatus.SENDING,)),
    Control.RESUME: (BroadcastStatus.SENDING, (BroadcastStatus.PAUSED,)),
    Control.CANCEL: (
        BroadcastStatus.CANCELLED,
        (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING, BroadcastStatus.PAUSED),
    ),
}


@dataclass(frozen=True, slots=True)
class Tally:
    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    unconfirmed: int = 0

    @classmethod
    def of(cls, total: int, counts: dict[RecipientStatus, int]) -> Tally:
        return cls(
            total=total,
            sent=counts.get(RecipientStatus.SENT, 0),
            blocked=counts.get(RecipientStatus.BLOCKED, 0),
            failed=counts.get(RecipientStatus.FAILED, 0),
            unconfirmed=counts.get(RecipientStatus.UNCONFIRMED, 0),
        )

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.sent - self.blocked - self.failed - self.unconfirmed)


@dataclass(frozen=True, slots=True)
class Request:
    """An admin's finished draft: what to send, to whom, and when (None: now)."""

    content: Content
    audience: Audience
    admin_id: int
    admin_chat_id: int
    admin_locale: str
    at: float | None = None
    progress_message_id: int | None = None


class BroadcastService:
    def __init__(
        self,
        *,
        broadcasts: BroadcastsRepository,
        chats: ChatAddresses,
        cipher: Cipher,
        wake: asyncio.Event,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._broadcasts = broadcasts
        self._chats = chats
        self._cipher = cipher
        self._wake = wake
        self._clock = clock

    async def create(self, request: Request) -> int:
        """Store the broadcast (and its audit entry) durably, and wake the runner."""
        now = self._clock()
        at = request.at if request.at is not None else now

        def sealed(broadcast_id: int) -> Sealed:
            return Sealed(
                content=self._cipher.seal(
                    request.content.pack(), broadcast_aad(broadcast_id, "content")
                ),
                admin_ref=self._cipher.seal_text(
                    str(request.admin_chat_id), broadcast_aad(broadcast_id, "admin")
                ),
            )

        broadcast_id = await self._broadcasts.create(
            NewBroadcast(
                audience=request.audience.pack(),
                author=self._chats.actor(request.admin_id),
                admin_locale=request.admin_locale,
                created_at=utc_now().isoformat(),
                scheduled_at=at,
                progress_message_id=request.progress_message_id,
                status=BroadcastStatus.SENDING if request.at is None else BroadcastStatus.SCHEDULED,
            ),
            sealed,
        )
        self._wake.set()
        return broadcast_id

    async def control(self, broadcast_id: int, action: Control) -> BroadcastRow | None:
        """Pause, resume or cancel; None if the broadcast is not in a state that allows it."""
        to, allowed = _TRANSITIONS[action]
        if not await self._broadcasts.transition(broadcast_id, to, allowed):
            return None
        self._wake.set()
        return await self._broadcasts.get(broadcast_id)

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        return await self._broadcasts.get(broadcast_id)

    async def recent(self) -> list[BroadcastRow]:
        return await self._broadcasts.recent(RECENT)

    async def tally(self, row: BroadcastRow) -> Tally:
        return Tally.of(row.total, await self._broadcasts.counts(row.id))

    def content(self, row: BroadcastRow) -> Content:
        return Content.unpack(self._cipher.open(row.content, broadcast_aad(row.id, "content")))

    def admin_chat(self, row: BroadcastRow) -> int:
        return int(self._cipher.open_text(row.admin_ref, broadcast_aad(row.id, "admin")))


def broadcast_aad(broadcast_id: int, field: str) -> str:
    return f"broadcasts:{broadcast_id}:{field}"


MOMENT_FORMATS = ("%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M")
MAX_AHEAD = timedelta(days=365)


class MomentProblem(StrEnum):
    UNREADABLE = "unreadable"
    PAST = "past"
    TOO_FAR = "too_far"


def parse_moment(text: str, zone: tzinfo, now: datetime) -> datetime | MomentProblem:
    """An admin's "25.11.2026 10:00" (or ISO-like "2026-11-25 10:00") in TIMEZONE."""
    cleaned = " ".join(text.split())
    for pattern in MOMENT_FORMATS:
        try:
            moment = datetime.strptime(cleaned, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
        return check_moment(moment, now)
    return MomentProblem.UNREADABLE


def check_moment(moment: datetime, now: datetime) -> datetime | MomentProblem:
    """A moment a broadcast may be scheduled for: ahead, and within a year."""
    if moment <= now:
        return MomentProblem.PAST
    if moment - now > MAX_AHEAD:
        return MomentProblem.TOO_FAR
    return moment
