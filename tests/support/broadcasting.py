"""An admin's broadcast through the live bot, and its subscribers."""

from __future__ import annotations

import asyncio
import time

from storage.broadcasts import BroadcastStatus
from tests.fakeapi import FakeUser, SentMessage
from tests.support.live import Live
from tests.support.people import Person


async def subscribe(live: Live, language: str, count: int = 1) -> list[FakeUser]:
    users = []
    for _ in range(count):
        person = live.person(language)
        await person.command("/start", button="do:new")
        users.append(person.user)
    return users


async def wait_status(
    live: Live, broadcast_id: int, *statuses: BroadcastStatus, timeout: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = await live.services.broadcasts.get(broadcast_id)
        if row is not None and row.status in statuses:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"broadcast {broadcast_id} did not reach {statuses}")


async def compose(admin: Person, kk: str | None, ru: str | None, audience: str) -> SentMessage:
    """The admin writes both versions, picks the audience; returns the review message."""
    await admin.command("/broadcast", button="bd:own:")
    await admin.press("bd:own:", expect="/skip")
    await admin.say(kk or "/skip", expect="/skip")
    await admin.say(ru or "/skip", button="bd:aud:all")
    return await admin.press(f"bd:aud:{audience}", button="bd:send:")


async def send_and_wait(live: Live, admin: Person) -> tuple[int, SentMessage]:
    """Press "Send now" on the review; returns the broadcast's number once it is done."""
    progress = await admin.press("bd:send:", expect="№")
    broadcast_id = int((progress.plain_text or "").split("№", 1)[1].split()[0])
    await wait_status(live, broadcast_id, BroadcastStatus.DONE)
    await live.api.next_reply(
        live.admin,
        where=lambda m: m.message_id == progress.message_id and not m.buttons,
        timeout=5,
    )
    return broadcast_id, progress


async def broadcast_now(live: Live, kk: str | None, ru: str | None, audience: str = "all") -> int:
    admin = Person(live.api, live.admin)
    await compose(admin, kk, ru, audience)
    broadcast_id, _progress = await send_and_wait(live, admin)
    return broadcast_id


def busiest_second(times: list[float], seconds: float = 1.0) -> int:
    """The most of ``times`` (sorted) that fall within ``seconds``."""
    best = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best
