"""Broadcasts from the real ``python -m bot``: Telegram's limits, SIGKILL half way, restarts."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from bot.app import build_services
from bot.broadcasts.content import Content, Version
from bot.broadcasts.runner import CONCURRENCY
from bot.broadcasts.service import Request
from bot.settings import Settings, load_settings
from storage.subscribers import Audience, SubscriberStatus
from tests.conftest import TEST_KEY
from tests.e2e.botprocess import BotProcess
from tests.fakeapi import FakeBotAPI, FakeUser, RecordedRequest
from tests.support.broadcasting import busiest_second
from tests.support.live import ADMIN_ID
from tests.support.people import Person

SUBSCRIBERS = 2000
TELEGRAM_LIMIT = 30
BROADCAST_RATE = 25
RETRY_AFTER = 3
IN_FLIGHT = 0.3
"""Requests already on their way when the 429 was answered may still arrive this much later."""
KK_NEWS = "Жемқорлыққа жол жоқ: 1424"
RU_NEWS = "Коррупции нет места: 1424"


def bot_settings(bot: BotProcess) -> Settings:
    return load_settings(
        bot_token="42:TEST",
        data_dir=bot.data_dir,
        encryption_keys=TEST_KEY,
        admin_ids=str(ADMIN_ID),
        _env_file=None,
    )


async def seed(bot: BotProcess, users: Sequence[FakeUser]) -> None:
    services = await build_services(bot_settings(bot))
    try:
        for user in users:
            await services.subscribers.join(user.id, user.language_code or "ru")
    finally:
        await services.close()


def broadcast_status(bot: BotProcess, broadcast_id: int) -> str | None:
    with closing(sqlite3.connect(bot.data_dir / "adal.sqlite3")) as conn:
        row = conn.execute("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
    return None if row is None else row[0]


async def wait_until(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(what)


def news_requests(api: FakeBotAPI) -> list[RecordedRequest]:
    return [
        r
        for r in api.requests
        if r.method == "sendMessage" and r.params.get("text") in (KK_NEWS, RU_NEWS)
    ]


async def test_broadcast_to_2000_survives_sigkill_within_telegram_limits(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    fake_api.set_rate_limit(TELEGRAM_LIMIT, retry_after=1)
    users = [
        fake_api.make_user(language_code="kk" if index % 3 else "ru")
        for index in range(SUBSCRIBERS)
    ]
    blocked = users[::20]
    for user in blocked:
        fake_api.block(user)
    bot = BotProcess(
        fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID), BROADCAST_RATE=str(BROADCAST_RATE)
    )
    await seed(bot, users)
    await bot.start()

    admin = Person(fake_api, fake_api.make_user(id=ADMIN_ID, language_code="ru"))
    await admin.command("/broadcast", button="bd:own:")
    await admin.press("bd:own:", expect="/skip")
    await admin.say(KK_NEWS, expect="/skip")
    await admin.say(RU_NEWS, button="bd:aud:all")
    await admin.press("bd:aud:all", button="bd:send:")
    progress = await admin.press("bd:send:", expect="№")
    await wait_until(
        lambda: len(news_requests(fake_api)) >= SUBSCRIBERS // 2, 120, "half the broadcast"
    )
    await bot.kill()
    before_restart = len([r for r in news_requests(fake_api) if r.ok])
    assert before_restart < SUBSCRIBERS - len(blocked), "the kill came before the end"

    await bot.start()
    resumed = len(news_requests(fake_api))
    await wait_until(lambda: len(news_requests(fake_api)) >= resumed + 50, 60, "the resumption")
    fake_api.fail_next("sendMessage", 429, retry_after=RETRY_AFTER)
    await wait_until(lambda: broadcast_status(bot, 1) == "done", 150, "the broadcast to finish")
    await bot.stop()

    requests = news_requests(fake_api)
    delivered: dict[int, list[str]] = {}
    for request in requests:
        if request.ok:
            delivered.setdefault(int(request.params["chat_id"]), []).append(request.params["text"])
    services = await build_services(bot_settings(bot))
    try:
        outcomes = {}
        for user in users:
            subscriber = await services.subscribers.get(user.id)
            assert subscriber is not None
            row = await services.database.fetchone(
                "SELECT status FROM broadcast_recipients WHERE broadcast_id = 1 "
                "AND subscriber_id = ?",
                (subscriber.id,),
            )
            outcomes[user.id] = (subscriber.status, row[0] if row else None)
    finally:
        await services.close()

    unconfirmed = [user for user in users if outcomes[user.id][1] == "unconfirmed"]
    assert len(unconfirmed) <= CONCURRENCY, "only requests in flight at the kill are undecided"
    for user in users:
        got = delivered.get(user.id, [])
        if user in blocked:
            assert got == []
            if user not in unconfirmed:  # its 403 may have been in flight at the kill
                assert outcomes[user.id] == (SubscriberStatus.BLOCKED, "blocked")
            continue
        assert len(got) <= 1, f"subscriber {user.id} got the broadcast {len(got)} times"
        expected = KK_NEWS if user.language_code == "kk" else RU_NEWS
        if user in unconfirmed:
            assert got in ([], [expected])
        else:
            assert got == [expected], f"subscriber {user.id}: {got}"
            assert outcomes[user.id] == (SubscriberStatus.ACTIVE, "sent")
    assert fake_api.max_messages_per_second() <= TELEGRAM_LIMIT
    edits = [
        r.time
        for r in fake_api.calls("editMessageText")
        if r.params.get("message_id") == progress.message_id
        and int(r.params.get("chat_id", 0)) == ADMIN_ID
    ]
    assert len(edits) >= 10, "the admin watched the progress"
    assert all(later - earlier >= 0.95 for earlier, later in itertools.pairwise(edits))
    attempts = sorted(r.time for r in requests)
    assert busiest_second(attempts) <= TELEGRAM_LIMIT, "429s included"
    refused = [r for r in requests if r.status == 429]
    assert any(r.response["parameters"]["retry_after"] == RETRY_AFTER for r in refused)
    for answer in refused:
        pause = answer.response["parameters"]["retry_after"]
        during_pause = [
            r for r in requests if answer.time + IN_FLIGHT < r.time < answer.time + pause
        ]
        assert not during_pause, "a 429 pauses the whole broadcast for retry_after"


async def test_a_scheduled_broadcast_survives_a_restart_and_goes_out_at_its_time(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    users = [fake_api.make_user(language_code="ru") for _ in range(3)]
    fake_api.make_user(id=ADMIN_ID, language_code="ru")
    bot = BotProcess(fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID))
    await seed(bot, users)
    services = await build_services(bot_settings(bot))
    delay = 20.0
    due = time.monotonic() + delay
    try:
        await services.broadcasts.create(
            Request(
                Content({"ru": Version(RU_NEWS)}),
                Audience(),
                ADMIN_ID,
                ADMIN_ID,
                "ru",
                at=time.time() + delay,
            )
        )
    finally:
        await services.close()

    await bot.start()
    await bot.kill()
    assert not news_requests(fake_api)
    await bot.start()
    assert time.monotonic() < due, "the restart came before the broadcast's time"
    await wait_until(lambda: len(news_requests(fake_api)) == len(users), delay + 30, "the news")
    await bot.stop()
    requests = news_requests(fake_api)
    assert min(r.time for r in requests) >= due - 0.05
    assert sorted(int(r.params["chat_id"]) for r in requests) == sorted(u.id for u in users)
    assert broadcast_status(bot, 1) == "done"
