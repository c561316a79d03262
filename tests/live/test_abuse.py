"""Abuse resistance: per-user limits, one update at a time per user, updates not for the bot.

The flood limits (bot/telegram/throttle.py) and the daily report limit (bot/core/quota.py) live in
memory; updates in groups, channel posts and edits change nothing and get no answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update
from babel.dates import format_date

from bot.app import Services
from bot.core import receipt
from bot.core.quota import DailyQuota
from bot.reports.draft import MAX_BODY_CHARS, Draft
from bot.security.guard import BLOCK_SECONDS, FREE_FAILURES
from bot.telegram.isolation import EventIsolation
from bot.telegram.throttle import (
    MESSAGES,
    PRESSES,
    WARN_EVERY,
    Rate,
    TokenBuckets,
    Verdict,
    slow_down_text,
)
from tests.fakeapi import FakeBotAPI, FakeUser, SentMessage
from tests.support.db import count, database_bytes
from tests.support.dialog import BODY, fill_report, receipt_code
from tests.support.harness import Citizen, buttons, snapshot, texts
from tests.support.live import Live
from tests.support.mocked import BOT_ID

ALLOW, WARN, DROP = Verdict.ALLOW, Verdict.WARN, Verdict.DROP
FLOOD = 500
HOTLINE = "1424"  # in the answer to /help
#: Update types that carry nothing for the bot: it does not ask Telegram for them.
NOT_FOR_THE_BOT = {
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def slow_down_in(live: Live, locale: str) -> str:
    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        return slow_down_text()


def texts_to(api: FakeBotAPI, user: FakeUser, after: int) -> list[str]:
    """What the bot sent or edited in the user's private chat since ``after``."""
    return [
        request.message.plain_text or ""
        for request in api.requests[after:]
        if request.ok and request.message is not None and request.message.chat_id == user.id
    ]


def codes_in(messages: list[SentMessage]) -> list[str]:
    return [
        code
        for message in messages
        for line in (message.plain_text or "").splitlines()
        if (code := receipt.parse(line))
    ]


def shows(button: str) -> Callable[[SentMessage], bool]:
    return lambda message: any(b.get("callback_data") == button for b in message.buttons)


# ---------------------------------------------------------------- flood limits


async def test_a_bucket_lets_a_burst_through_then_warns_once_a_minute_and_drops() -> None:
    clock = Clock()
    buckets = TokenBuckets(Rate(per_minute=6, burst=3), clock=clock)
    assert [await buckets.take(b"u") for _ in range(6)] == [ALLOW, ALLOW, ALLOW, WARN, DROP, DROP]
    assert await buckets.take(b"other") is ALLOW, "each user has a bucket of their own"
    clock.now += 10
    assert await buckets.take(b"u") is ALLOW, "six a minute: one more every ten seconds"
    assert await buckets.take(b"u") is DROP, "no second warning within the minute"
    clock.now += WARN_EVERY
    assert [await buckets.take(b"u") for _ in range(4)] == [ALLOW, ALLOW, ALLOW, WARN]


async def test_the_buckets_are_bounded_and_the_least_recently_active_go_first() -> None:
    buckets = TokenBuckets(Rate(per_minute=1, burst=1), max_users=3, clock=Clock())
    assert [await buckets.take(b"flooder"), await buckets.take(b"flooder")] == [ALLOW, WARN]
    for number in range(1000):
        assert await buckets.take(b"account %d" % number) is ALLOW
        assert await buckets.take(b"flooder") is DROP, "an active flooder's bucket is kept"
    assert buckets.users == 3


@pytest.mark.sqlite_only  # SQLite's trace callback sees every statement
async def test_updates_over_the_limit_are_dropped_before_any_database_read(
    citizen: Citizen, services: Services
) -> None:
    """A flooder costs the database nothing: the limit runs before locale, FSM and handlers."""
    statements: list[str] = []
    await services.database._conn.set_trace_callback(statements.append)
    for number in range(MESSAGES.burst):
        await citizen.say(f"spam {number}")
    assert statements, "an allowed message reads its state and language"
    statements.clear()
    warned = await citizen.say("one too many")
    assert texts(warned) == [slow_down_text_in(services, "ru")]
    statements.clear()
    for number in range(20):
        assert await citizen.say(f"dropped {number}") == []
    assert statements == [], "a dropped update reads nothing"


def slow_down_text_in(services: Services, locale: str) -> str:
    with services.i18n.context(), services.i18n.use_locale(locale):
        return slow_down_text()


async def test_a_message_flood_gets_one_slow_down_and_other_users_are_served(
    live: Live, fake_api: FakeBotAPI
) -> None:
    flooder = live.person("ru")
    await flooder.command("/start", button="do:new")
    other = live.person("kk")
    before = await snapshot(live.services)
    started = time.monotonic()
    mark = fake_api.mark()
    for number in range(FLOOD):
        fake_api.send_text(flooder.user, f"spam {number}")
    await other.walk_to_review(BODY)
    assert codes_in([await other.press("do:submit", expect="-")]), "served during the flood"
    # One user's updates are handled in order: this press comes after every message above.
    await flooder.press("do:new", button="rg:abai")
    elapsed = time.monotonic() - started

    replies = texts_to(fake_api, flooder.user, mark)
    warnings = replies.count(slow_down_in(live, "ru"))
    assert 1 <= warnings <= 1 + elapsed // WARN_EVERY, "at most one slow-down a minute"
    answered = len(replies) - warnings - 1  # and the screen the press brought
    assert answered <= MESSAGES.burst + elapsed * MESSAGES.per_minute / 60
    after = await snapshot(live.services)
    for table in ("attempts", "user_prefs", "subscribers"):
        assert after[table] == before[table], table
    assert await count(live.services, "reports") == 1


async def test_a_press_flood_gets_one_slow_down_and_then_no_handler(
    live: Live, fake_api: FakeBotAPI
) -> None:
    flooder = live.person("ru")
    menu = await flooder.command("/start", button="do:new")
    started = time.monotonic()
    queries = [fake_api.press_forged(flooder.user, "zz:1", menu) for _ in range(FLOOD)]
    # The message bucket is another one, and this message waits for every press above.
    await flooder.command("/help", expect=HOTLINE)
    elapsed = time.monotonic() - started

    answers = [fake_api.callback_answers.get(query["id"]) for query in queries]
    texts_shown = [answer.get("text") for answer in answers if answer is not None]
    warnings = [text for text in texts_shown if text == slow_down_in(live, "ru")]
    assert 1 <= len(warnings) <= 1 + elapsed // WARN_EVERY
    handled = len(texts_shown) - len(warnings)
    assert handled <= PRESSES.burst + elapsed * PRESSES.per_minute / 60
    assert len(fake_api.unanswered_callback_queries()) == FLOOD - handled - len(warnings)
    warning = next(a for a in answers if a and a.get("text") == warnings[0])
    assert not warning.get("show_alert"), "a toast, not an alert to dismiss"


async def test_a_flood_at_the_text_step_keeps_the_draft_and_the_database_bounded(
    live: Live, fake_api: FakeBotAPI
) -> None:
    flooder = live.person("ru")
    await flooder.command("/report", button="rg:abai")
    await flooder.press("rg:abai", button="sp:akimat")
    await flooder.press("sp:akimat", button="wh:week")
    await flooder.press("wh:week", button="do:skip")
    text_step = await flooder.press("do:skip", button="do:back")
    before = await snapshot(live.services)
    size = await database_bytes(live.services)
    mark = fake_api.mark()
    for number in range(FLOOD):
        fake_api.send_text(flooder.user, f"{number:03d} " + "Ж" * 200)
    # «Done», pressed on the screen the flood began on, is handled after the whole flood.
    fake_api.press_forged(flooder.user, "do:done", text_step)
    await fake_api.next_reply(flooder.user, after=mark, where=shows("do:skip"))

    after = await snapshot(live.services)
    for table in before:
        assert len(after[table]) == len(before[table]), table
        if table != "fsm":
            assert after[table] == before[table], table
    user = flooder.user.id
    key = StorageKey(bot_id=BOT_ID, chat_id=user, user_id=user)
    draft = Draft.from_data(await live.services.fsm.get_data(key))
    assert MAX_BODY_CHARS - 210 < draft.body_length <= MAX_BODY_CHARS, "the text is capped"
    assert await database_bytes(live.services) - size < 256 * 1024
    replies = texts_to(fake_api, flooder.user, mark)
    assert replies.count(slow_down_in(live, "ru")) >= 1
    assert len(replies) < FLOOD / 4, "most of the flood was dropped unanswered"


# ---------------------------------------------------------------- reports per day


async def test_the_daily_limit_is_per_user_and_ends_at_midnight_in_the_time_zone() -> None:
    zone = ZoneInfo("Asia/Almaty")
    midnight = datetime(2026, 3, 17, tzinfo=zone)
    now = (midnight - timedelta(hours=3)).astimezone(UTC)
    quota = DailyQuota(2, zone, lambda: now)
    await quota.spend(b"u")
    assert await quota.next_day(b"u") is None
    await quota.spend(b"u")
    assert await quota.next_day(b"u") == date(2026, 3, 17)
    assert await quota.next_day(b"other") is None, "each user has a count of their own"
    now = (midnight - timedelta(seconds=1)).astimezone(UTC)
    assert await quota.next_day(b"u") == date(2026, 3, 17), "still the same day in Almaty"
    now = midnight.astimezone(UTC)
    assert await quota.next_day(b"u") is None, "a new day in Almaty, though not yet in UTC"


async def test_past_the_daily_limit_submit_is_refused_kindly_and_works_the_next_day(
    citizen_factory: Callable[..., Citizen], services: Services
) -> None:
    citizen = citizen_factory()
    for _ in range(services.settings.reports_per_day):
        await fill_report(citizen)
        receipt_code(await citizen.press("do:submit"))
    await fill_report(citizen)
    refused = await citizen.press("do:submit")
    tomorrow = datetime.now(services.settings.tz).date() + timedelta(days=1)
    shown = "\n".join(texts(refused))
    assert (
        services.settings.hotline in shown and format_date(tomorrow, "long", locale="ru") in shown
    )
    with pytest.raises(AssertionError):
        receipt_code(refused)
    assert await count(services, "reports") == services.settings.reports_per_day

    other = citizen_factory(user_id=777000222)
    await fill_report(other)
    receipt_code(await other.press("do:submit"))

    later = datetime.now(UTC) + timedelta(days=1)
    services.reports._quota._now = lambda: later
    code = receipt_code(await citizen.press("do:submit"))
    assert await services.reports.lookup(code) is not None, "the kept draft is sent the next day"
    assert await count(services, "reports") == services.settings.reports_per_day + 2
    assert await count(services, "attempts") == 0, "the count is not stored"


# ---------------------------------------------------------------- receipt-code guesses


async def test_receipt_code_guesses_are_braked_in_one_row_per_pseudonym(
    citizen_factory: Callable[..., Citizen], services: Services
) -> None:
    reporter = citizen_factory(user_id=1001)
    await fill_report(reporter)
    code = receipt_code(await reporter.press("do:submit"))
    guesser = citizen_factory(user_id=1002)
    for _ in range(FREE_FAILURES):
        assert "do:addinfo" not in buttons(await guesser.say(f"/status {receipt.generate()}"))
    for _ in range(30):
        right_code = await guesser.say(f"/status {code}")
        assert "do:addinfo" not in buttons(right_code).values(), "even the right code must wait"
    rows = await services.database.fetchall("SELECT user_key FROM attempts")
    assert [bytes(row[0]) for row in rows] == [services.pseudonyms.digest("user", 1002)]
    assert "do:addinfo" in buttons(await reporter.say(f"/status {code}")).values(), (
        "others unaffected"
    )

    services.guard._clock = lambda: time.time() + BLOCK_SECONDS
    assert "do:addinfo" in buttons(await guesser.say(f"/status {code}")).values()
    assert await count(services, "attempts") == 0


# ---------------------------------------------------------------- one update at a time


async def test_one_users_updates_wait_for_each_other_and_no_lock_outlives_them() -> None:
    isolation = EventIsolation()
    order: list[tuple[str, int]] = []

    async def handle(key: StorageKey, label: int) -> None:
        async with isolation.lock(key):
            order.append(("in", label))
            await asyncio.sleep(0)
            order.append(("out", label))

    same = StorageKey(bot_id=BOT_ID, chat_id=1, user_id=1)
    others = [StorageKey(bot_id=BOT_ID, chat_id=n, user_id=n) for n in range(100, 1100)]
    await asyncio.gather(
        *(handle(same, n) for n in range(10)),
        *(handle(key, key.user_id) for key in others),
    )
    assert [entry for entry in order if entry[1] < 10] == [
        (step, n) for n in range(10) for step in ("in", "out")
    ]
    assert order.index(("in", 101)) < order.index(("out", 100)), "other users run meanwhile"
    assert isolation.keys_in_use == 0

    held = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with isolation.lock(same):
            held.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await held.wait()
    waiter = asyncio.create_task(handle(same, 0))
    await asyncio.sleep(0)
    waiter.cancel()
    release.set()
    await holder
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert isolation.keys_in_use == 0, "a cancelled waiter leaves nothing behind"


async def test_ten_submit_presses_at_once_store_one_report_and_show_one_code(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person()
    await person.walk_to_review(BODY)
    queries = [fake_api.press(person.user, "do:submit") for _ in range(10)]
    for query in queries:
        await fake_api.answer_to(query)

    codes = codes_in(fake_api.messages_in(person.user))
    assert len(codes) == 1, codes
    assert await count(live.services, "reports") == 1
    assert await live.services.reports.lookup(codes[0]) is not None
    user = person.user.id
    key = StorageKey(bot_id=BOT_ID, chat_id=user, user_id=user)
    assert await live.services.fsm.get_state(key) is None, "the dialog ended once"
    assert await live.services.fsm.get_data(key) == {}, "and its draft with it"


# ---------------------------------------------------------------- not for the bot


def edited(message: dict[str, Any], text: str) -> dict[str, Any]:
    return {"edited_message": {**message, "text": text, "edit_date": message["date"] + 60}}


def channel_posts() -> list[dict[str, Any]]:
    post = {
        "message_id": 7,
        "date": int(time.time()),
        "chat": {"id": -1_001_234_567_890, "type": "channel", "title": "News"},
        "text": "/report В акимате берут взятки",
    }
    return [
        {"channel_post": post},
        {"edited_channel_post": {**post, "text": "Edited", "edit_date": post["date"] + 1}},
    ]


async def test_messages_in_groups_get_no_answer_and_change_nothing(
    live: Live, fake_api: FakeBotAPI
) -> None:
    linked = fake_api.make_group(title="Abai officers")
    await live.link("abai", linked)
    unlinked = fake_api.make_group(title="Neighbours")
    before = await snapshot(live.services)
    mark = fake_api.mark()
    for group in (linked, unlinked):
        member = fake_api.make_user(language_code="ru")
        said = fake_api.send_text(member, "В акимате берут взятки за участки", chat=group)
        for command in ("/report", "/report@adal_test_bot", "/start", "/status", "/help"):
            fake_api.send_command(member, command, chat=group)
        bot_messages = fake_api.messages_in(group)
        reply_to = bot_messages[-1] if bot_messages else said
        fake_api.send_text(member, "Ответ боту", chat=group, reply_to=reply_to)
        for number in range(2 * MESSAGES.burst):
            fake_api.send_text(member, f"flood {number}", chat=group)
        # The member's next update in this chat waits for all of the above.
        await fake_api.answer_to(fake_api.press_forged(member, "zz:1", said))

    assert [r.method for r in fake_api.requests[mark:] if r.message is not None] == []
    assert await snapshot(live.services) == before


async def test_channel_posts_and_edited_messages_are_not_asked_for_and_change_nothing(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person()
    await person.command("/report", button="rg:abai")
    await person.press("rg:abai", button="sp:akimat")
    await person.press("sp:akimat", button="wh:week")
    await person.press("wh:week", button="do:skip")
    await person.press("do:skip", button="do:back")
    mark = fake_api.mark()
    typed = fake_api.send_text(person.user, BODY)
    await fake_api.next_reply(person.user, after=mark)
    ignored = [
        fake_api.push_update(edited(typed, "EDITED-IN-DIALOG " + BODY)),
        *(fake_api.push_update(post) for post in channel_posts()),
    ]
    await person.press("do:done", button="do:skip")
    await person.press("do:skip", button="do:cyes")
    review = await person.press("do:cno", button="do:submit")
    assert "EDITED" not in (review.plain_text or "")
    await person.press("do:submit", expect="-")
    await person.command("/help", expect=HOTLINE)  # handled once the submission is done

    asked = fake_api.calls("getUpdates")[-1].params.get("allowed_updates")
    assert asked and NOT_FOR_THE_BOT.isdisjoint(asked), asked

    before = await snapshot(live.services)
    mark = fake_api.mark()
    ignored.append(fake_api.push_update(edited(typed, "EDITED-AFTER-SUBMIT " + BODY)))
    await person.command("/help", expect=HOTLINE)
    dropped = [update["update_id"] for update in fake_api.dropped_updates]
    assert all(update["update_id"] in dropped for update in ignored)

    # Delivered all the same (a bot once set up for every update type): nothing handles them.
    for update in ignored:
        result = await live.dispatcher.feed_update(
            live.bot, Update.model_validate(update, context={"bot": live.bot})
        )
        assert result is UNHANDLED
    assert [r.method for r in fake_api.requests[mark:] if r.message is not None] == [
        "sendMessage"
    ], "only the answer to /help"
    assert await snapshot(live.services) == before
    row = await live.services.database.fetchone("SELECT id, body FROM reports")
    body = live.services.cipher.open_text(bytes(row["body"]), f"reports:{row['id']}:body")
    assert body == BODY
