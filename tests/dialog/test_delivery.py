"""The outbox sender against scripted Telegram failures (network errors, group migration)."""

from __future__ import annotations

import time

from aiogram.methods import SendMessage

from bot.app import Services, create_sender
from bot.cases.delivery import OutboxSender
from tests.support.dialog import fill_report
from tests.support.mocked import MockedSession, mocked_bot

GROUP = -100200300
SUPERGROUP = -100999888777


class Clock:
    """Starts now (items are queued at the real time) and moves only when a test says so."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def sender_with(services: Services, session: MockedSession, clock: Clock) -> OutboxSender:
    return create_sender(mocked_bot(session), services, clock=clock)


async def queue_case_for(services: Services, chat_id: int, citizen) -> None:
    await fill_report(citizen)
    await citizen.press("do:submit")
    code = await services.departments.invite("abai")
    assert await services.departments.join(code or "", chat_id, "group") == "abai"
    assert await services.digests.queue() == 1


async def test_network_errors_are_retried_with_backoff(services: Services, citizen) -> None:
    clock = Clock()
    await queue_case_for(services, GROUP, citizen)
    session = MockedSession()
    session.disconnect_next("sendMessage", count=2)
    sender = await sender_with(services, session, clock)
    await sender.process_due()
    row = await services.database.fetchone(
        "SELECT status, in_flight, next_attempt, attempts FROM outbox WHERE kind = 'header'"
    )
    assert row["status"] == "pending" and row["in_flight"] == 0
    assert row["next_attempt"] > clock.now, "backoff before the next try"
    for _ in range(5):
        clock.now += 60
        await sender.process_due()
    statuses = await services.database.fetchall("SELECT kind, status FROM outbox ORDER BY id")
    assert [tuple(row) for row in statuses] == [
        ("header", "sent"),
        ("report", "sent"),
        ("attachment", "sent"),
    ]
    status = await services.database.fetchone("SELECT status FROM reports")
    assert status[0] == "delivered"


async def test_a_migrated_group_is_followed_to_its_new_id(services: Services, citizen) -> None:
    clock = Clock()
    await queue_case_for(services, GROUP, citizen)
    session = MockedSession()
    session.fail_next(
        "sendMessage",
        400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=SUPERGROUP,
    )
    sender = await sender_with(services, session, clock)
    for _ in range(6):
        await sender.process_due()
        clock.now += 5
    sent = [r for r in session.requests if isinstance(r, SendMessage)]
    assert sent[0].chat_id == GROUP
    assert all(r.chat_id == SUPERGROUP for r in sent[1:]) and len(sent) == 3
    assert await services.departments.regions_of(SUPERGROUP) == {"abai"}
    assert await services.departments.regions_of(GROUP) == set()
