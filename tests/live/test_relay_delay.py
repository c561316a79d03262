"""The reporter's answers and additions reach the department after a random delay
(bot/cases/relay.py).

An official watching suspects' "last seen" must not find the reporter by the moment a message
arrives. The delay is the outbox item's due time, stored, so a sender built after a restart keeps
it; the tests drive that sender's clock.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import create_sender
from bot.cases.relay import URGENT_MAX_SECONDS, RelayDelay
from bot.core import receipt
from bot.settings import ConfigError, load_settings
from storage.outbox import NewItem
from tests.conftest import TEST_KEY
from tests.fakeapi import FakeBotAPI, SentMessage
from tests.support.flows import BODY, cards, case_id_of, post_question, report
from tests.support.live import Live, live_bot

MINUTES = (2, 10)


@pytest.fixture
async def live(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Live]:
    async for running in live_bot(fake_api, tmp_path, relay_delay_minutes="2-10"):
        yield running


def code_in(messages: list[SentMessage]) -> str:
    return next(
        code
        for message in messages
        for line in (message.plain_text or "").splitlines()
        if (code := receipt.parse(line))
    )


async def owed(live: Live, kind: str) -> list[tuple[float, float]]:
    """(created, due) of the department-bound items of ``kind`` still pending."""
    rows = await live.services.database.fetchall(
        "SELECT created_at, next_attempt FROM outbox WHERE kind = ? AND status = 'pending' "
        "ORDER BY id",
        (kind,),
    )
    return [(row[0], row[1]) for row in rows]


def texts_in(api: FakeBotAPI, chat: object, needle: str) -> list[SentMessage]:
    return [m for m in api.messages_in(chat) if needle in (m.plain_text or "")]


async def add_information(live: Live, person, code: str, text: str) -> None:
    """Through /status: the receipt code, «Add information», a text, a photo."""
    await person.command(f"/status {code}", button="do:addinfo")
    await person.press("do:addinfo", button="do:done")
    await person.say(text, button="do:done")
    await person.photo(b"\xff\xd8added-photo")


def test_the_delay_is_drawn_within_the_setting_and_urgent_within_a_minute() -> None:
    delay = RelayDelay(MINUTES)
    drawn = {delay.seconds(urgent=False) for _ in range(2000)}
    assert min(drawn) >= 120 and max(drawn) <= 600
    assert len(drawn) > 200, "random, not one fixed wait"
    urgent = {delay.seconds(urgent=True) for _ in range(2000)}
    assert max(urgent) <= URGENT_MAX_SECONDS < 60
    assert RelayDelay((0, 0)).seconds(urgent=False) == 0


@pytest.mark.parametrize(
    ("value", "bounds"), [("2-10", (2, 10)), ("0", (0, 0)), (" 5 ", (5, 5)), ("0-3", (0, 3))]
)
def test_the_setting_is_a_range_of_minutes(value: str, bounds: tuple[int, int]) -> None:
    settings = load_settings(
        bot_token="42:TEST", encryption_keys=TEST_KEY, relay_delay_minutes=value, _env_file=None
    )
    assert settings.relay_delay_minutes == bounds


@pytest.mark.parametrize("value", ["10-2", "abc", "-1", "2-", "1-500"])
def test_a_wrong_range_is_one_line_naming_the_setting(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^RELAY_DELAY_MINUTES is invalid"):
        load_settings(
            bot_token="42:TEST", encryption_keys=TEST_KEY, relay_delay_minutes=value, _env_file=None
        )


async def test_answers_and_additions_wait_their_delay_even_across_a_restart(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    receipt_text = await report(person, "astana", contact=True)
    code = next(line for line in receipt_text.splitlines() if line.count("-") == 3)
    await live.deliver()
    card = cards(fake_api, group)[0]
    officer = await live.officer("astana")
    await post_question(live, officer, group, case_id_of(card), "Какой кабинет? Q-TIMING")
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    question = await fake_api.next_reply(person.user, after=mark)

    await person.press(question.buttons[0]["callback_data"], button="do:done")
    await person.say("Кабинет 214 ANSWER-LATE", button="do:done")
    await person.press("do:done")
    await add_information(live, person, code, "Второй этаж ADDITION-LATE")

    answer, addition = await owed(live, "answer"), await owed(live, "addition")
    photo = await owed(live, "attachment")
    assert len(answer) == len(addition) == len(photo) == 1
    for created, due in answer + addition + photo:
        assert 120 <= due - created <= 600 + 5, (created, due)
    assert answer[0][1] <= addition[0][1] <= photo[0][1], "they arrive in the order sent"

    await live.sender.drain(within=3)
    assert not texts_in(fake_api, group, "ANSWER-LATE"), "nothing reaches the department early"
    assert not texts_in(fake_api, group, "ADDITION-LATE")

    # After a restart, a new sender reads the same due times: still nothing before the delay.
    early = create_sender(live.bot, live.services, clock=lambda: time.time() + 119)
    await early.drain(within=3)
    assert not texts_in(fake_api, group, "ANSWER-LATE")
    assert fake_api.calls("sendPhoto") == []

    later = create_sender(live.bot, live.services, clock=lambda: time.time() + 601)
    mark = fake_api.mark()
    assert await later.drain(within=5) == 0
    relayed = [
        r.message
        for r in fake_api.requests[mark:]
        if r.ok
        and r.message is not None
        and r.message.chat_id == group.id
        and r.method
        != "editMessageText"  # the card, stamped with the answer (tests/live/test_card.py)
    ]
    labels = [m.plain_text or m.kind for m in relayed]
    assert "ANSWER-LATE" in labels[0] and "ADDITION-LATE" in labels[1], labels
    assert [m.kind for m in relayed] == ["text", "text", "photo"]
    assert all(m.raw["reply_to_message"]["message_id"] == card.message_id for m in relayed)


async def test_additions_to_an_urgent_case_wait_less_than_a_minute(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    await person.command("/report", button="rg:abai")
    await person.press("rg:astana", button="sp:police")
    await person.press("sp:police", button="wh:now")
    await person.press("wh:now", button="do:skip")
    await person.press("do:skip", button="do:back")
    await person.say(BODY, button="do:done")
    await person.press("do:done", button="do:skip")
    await person.press("do:skip", button="do:cno")
    await person.press("do:cno", button="do:submit")
    await person.press("do:submit", expect="102")
    code = code_in(fake_api.messages_in(person.user))
    await live.services.digests.queue(urgent_only=True)
    await live.sender.drain(within=3)

    await add_information(live, person, code, "Они ещё здесь URGENT-ADD")
    for created, due in await owed(live, "addition") + await owed(live, "attachment"):
        assert 0 <= due - created < 60
    soon = create_sender(live.bot, live.services, clock=lambda: time.time() + 60)
    assert await soon.drain(within=5) == 0
    assert texts_in(fake_api, group, "URGENT-ADD")


async def test_what_is_added_before_delivery_goes_with_the_card_once(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    receipt_text = await report(person, "astana")
    code = next(line for line in receipt_text.splitlines() if line.count("-") == 3)
    await add_information(live, person, code, "Кабинет 214 EARLY-ADDITION")
    assert await owed(live, "addition") == [], "no card yet: nothing is relayed on its own"

    assert await live.deliver() == 0
    card = cards(fake_api, group)[0]
    after_card = [m for m in fake_api.messages_in(group) if m.message_id > card.message_id]
    assert [m.kind for m in after_card] == ["photo", "text"]
    assert "EARLY-ADDITION" in (after_card[1].plain_text or "")
    assert all(m.raw["reply_to_message"]["message_id"] == card.message_id for m in after_card)
    assert await live.deliver() == 0
    assert len(texts_in(fake_api, group, "EARLY-ADDITION")) == 1


async def test_a_reply_to_a_card_that_was_dropped_leaves_the_sender_idle(services) -> None:
    """A case closed before its card went out: the card is dropped, and what replies to it (its
    files, a delayed answer) can never go; the sender must not wake up for it again and again."""
    outbox = services.repositories.outbox
    card, _reply = await outbox.enqueue(
        [NewItem("report", b"chat", b"ref"), NewItem("attachment", b"chat", b"ref", parent=0)],
        time.time() - 10,
    )
    await outbox.drop(card)
    assert await outbox.due(time.time()) == []
    assert await outbox.next_due_time() is None, "nothing it could send is due"
    assert await outbox.pending() == 0, "its reply is given up with it, not left owed"


async def test_a_digest_run_neither_waits_for_nor_counts_an_answer_waiting_its_delay(
    live: Live, fake_api: FakeBotAPI
) -> None:
    """`python -m bot digest` drains with ``owed_now``: an answer due in minutes is the running
    bot's to send; one already tried and waiting to be retried still counts."""
    outbox = live.services.repositories.outbox
    now = time.time()
    [waiting] = await outbox.enqueue([NewItem("answer", b"chat", b"ref", due=now + 120)], now)
    assert await outbox.pending() == 1
    assert await outbox.pending(owed_by=now) == 0
    assert await outbox.next_due_time(owed_by=now) is None
    assert await live.sender.drain(within=600, owed_now=True) == 0
    assert await outbox.pending() == 1, "not sent early, and not waited for"
    assert await outbox.claim(waiting, now + 130, lease=60)
    await outbox.retry(waiting, now + 300)
    assert await outbox.pending(owed_by=now) == 1, "a retry is still owed"


@pytest.mark.sqlite_only  # an SQLite trigger plays the full disk
async def test_an_addition_is_kept_and_owed_together_or_not_at_all(
    live: Live, fake_api: FakeBotAPI
) -> None:
    """The note and its relay are one transaction: when the outbox cannot take the relay (the
    database refuses, as a full disk would), no note is left that officers would never hear of."""
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    await report(live.person(), "astana")
    await live.deliver()
    case = case_id_of(cards(fake_api, group)[0])
    database = live.services.database
    await database.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'full'); END"
    )
    with pytest.raises(sqlite3.IntegrityError):
        await live.services.cases.add_information(case, "LOST-ADDITION")
    assert tuple(await database.fetchone("SELECT count(*) FROM report_notes")) == (0,)
    await database.execute("DROP TRIGGER refuse")
    await live.services.cases.add_information(case, "KEPT-ADDITION")
    assert tuple(await database.fetchone("SELECT count(*) FROM report_notes")) == (1,)
    assert len(await owed(live, "addition")) == 1
