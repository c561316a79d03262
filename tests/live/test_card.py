"""The case card keeps its state: who did what and when, an undo for a close, robust questions."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.utils.i18n import gettext as _

from bot.app import create_sender, make_closes_final
from bot.ui.formatting import utf16_length
from tests.fakeapi import FakeBotAPI, FakeChat, SentMessage
from tests.support.flows import (
    cards,
    case_id_of,
    close,
    data,
    open_prompt,
    press_in,
    reply_to_prompt,
    report,
)
from tests.support.live import Live, live_bot, said
from tests.support.people import Person

LOCALES = ("kk", "ru")
TIME = re.compile(r"\d{1,2}:\d{2}")


@pytest.fixture(params=LOCALES)
def locale(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def live(fake_api: FakeBotAPI, tmp_path: Path, locale: str) -> AsyncIterator[Live]:
    """The department speaks ``locale``; a close can be undone for a minute."""
    async for running in live_bot(fake_api, tmp_path, default_locale=locale, close_undo_seconds=60):
        yield running


def stamp(live: Live, locale: str, text: str, **values: object) -> str:
    """A history line of the card up to its time: «✅ Accepted · Name · »."""
    return said(live, locale, text, time="", **values)


async def delivered(
    live: Live, *, contact: bool = True, chats: int = 1
) -> tuple[list[FakeChat], str, Person]:
    """Astana groups with one delivered case; (the groups, the case id, its reporter)."""
    groups = [live.api.make_group(title=f"Astana {n}") for n in range(chats)]
    for group in groups:
        await live.link("astana", group)
    person = live.person()
    await report(person, "astana", contact=contact)
    await live.deliver()
    return groups, case_id_of(cards(live.api, groups[0])[-1]), person


def card_in(live: Live, chat: FakeChat, case: str) -> SentMessage:
    """The case's card in ``chat`` as it is now (with its edits)."""
    return next(
        m for m in live.api.messages_in(chat) if m.message_id == card_message(live, chat, case)
    )


def card_message(live: Live, chat: FakeChat, case: str) -> int:
    for request in live.api.requests:
        sent = request.message
        if (
            request.method == "sendMessage"
            and sent is not None
            and sent.chat_id == chat.id
            and any(case in b.get("callback_data", "") for b in sent.buttons)
        ):
            return sent.message_id
    raise AssertionError("no card of this case in the chat")


async def test_accept_stamps_the_card_text_with_the_officer_and_the_time(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    [group], case, _reporter = await delivered(live)
    officer = await live.officer(
        "astana", language=locale, first_name="Айжан", last_name="Сер<b>", username="aizhan_x"
    )
    mark = fake_api.mark()
    await press_in(fake_api, officer, group, data("acc", case))
    edit = await fake_api.wait_for("editMessageText", after=mark)
    assert edit.params["message_id"] == card_message(live, group, case)
    text = card_in(live, group, case).plain_text or ""
    line = text.splitlines()[-1]
    assert line.startswith(stamp(live, locale, "✅ Accepted · {who} · {time}", who="Айжан Сер<b>"))
    assert TIME.search(line), line
    assert "aizhan_x" not in text and str(officer.id) not in text
    assert "200 000" in text, "the card keeps the report"
    buttons = {b["callback_data"] for b in card_in(live, group, case).buttons}
    assert data("acc", case) not in buttons and data("cls", case) in buttons


async def test_a_close_shows_its_result_and_undo_reopens_without_telling_the_reporter(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    [group], case, reporter = await delivered(live)
    officer = await live.officer("astana", language=locale, first_name="Officer")
    await press_in(fake_api, officer, group, data("acc", case))
    await live.sender.drain(within=2)
    before = len(fake_api.messages_in(reporter.user))
    await close(fake_api, officer, group, case)

    card = card_in(live, group, case)
    result = said(live, locale, "Referred for investigation")
    closed = stamp(
        live, locale, "🏁 Closed: {result} · {who} · {time}", result=result, who="Officer"
    )
    assert closed in (card.plain_text or "")
    assert [b["callback_data"] for b in card.buttons] == [data("un", case)]
    assert card.buttons[0]["text"] == said(live, locale, "↩️ Undo")
    await live.sender.drain(within=2)
    assert len(fake_api.messages_in(reporter.user)) == before, "the notice waits for the window"

    member = fake_api.make_user(first_name="Member", language_code=locale)
    refused = await fake_api.answer_to(fake_api.press(member, data("un", case), chat=group))
    assert refused["text"] == said(live, locale, "Only the department's officers can do this.")
    row = await live.services.database.fetchone("SELECT status FROM reports")
    assert row["status"] == "closed", "only the roster may undo"

    await press_in(fake_api, officer, group, data("un", case))
    row = await live.services.database.fetchone("SELECT status, resolution, contact FROM reports")
    assert (row["status"], row["resolution"]) == ("accepted", None) and row["contact"] is not None
    card = card_in(live, group, case)
    assert stamp(live, locale, "↩️ Close undone · {who} · {time}", who="Officer") in (
        card.plain_text or ""
    )
    assert data("cls", case) in {b["callback_data"] for b in card.buttons}

    later = create_sender(live.bot, live.services, clock=lambda: time.time() + 3600)
    assert await later.drain(within=2) == 0
    assert len(fake_api.messages_in(reporter.user)) == before, "the reporter heard of no close"
    actions = [
        r["action"] for r in await live.services.database.fetchall("SELECT action FROM audit")
    ]
    assert actions[-2:] == ["closed", "close_undone"]
    events = await live.services.database.fetchall("SELECT kind FROM report_events")
    assert "closed" not in [e["kind"] for e in events], "the reporter's history has no close"


async def test_undo_after_the_window_is_refused_and_the_button_goes(
    fake_api: FakeBotAPI, tmp_path: Path, locale: str
) -> None:
    async for live in live_bot(fake_api, tmp_path, default_locale=locale, close_undo_seconds=1):
        [group], case, reporter = await delivered(live)
        officer = await live.officer("astana", language=locale)
        await close(fake_api, officer, group, case)
        assert card_in(live, group, case).buttons, "Undo is offered for the window"
        await asyncio.sleep(1.2)
        mark = fake_api.mark()
        query = fake_api.press(officer, data("un", case), chat=group)
        answer = await fake_api.answer_to(query)
        with live.services.i18n.context(), live.services.i18n.use_locale(locale):
            assert answer["text"] == _("Too late to undo: the close is final.")
        await fake_api.wait_for("editMessageText", after=mark)
        assert card_in(live, group, case).buttons == [], "the Undo button is gone"
        row = await live.services.database.fetchone("SELECT status FROM reports")
        assert row["status"] == "closed"

        mark = fake_api.mark()
        await live.sender.drain(within=2)
        notice = await fake_api.next_reply(reporter.user, after=mark)
        assert "№ 1" in (notice.plain_text or "")
        await make_closes_final(live.services, live.bot)
        row = await live.services.database.fetchone("SELECT contact FROM reports")
        assert row["contact"] is None, "a final close drops the reporter's contact"


async def test_the_undo_button_goes_by_itself_once_the_close_is_final(
    fake_api: FakeBotAPI, tmp_path: Path, locale: str
) -> None:
    async for live in live_bot(fake_api, tmp_path, default_locale=locale, close_undo_seconds=1):
        [group], case, _reporter = await delivered(live)
        officer = await live.officer("astana", language=locale, first_name="Officer")
        await close(fake_api, officer, group, case)
        await make_closes_final(live.services, live.bot)
        assert card_in(live, group, case).buttons, "not before the window has passed"
        await asyncio.sleep(1.2)
        await make_closes_final(live.services, live.bot)
        card = card_in(live, group, case)
        assert card.buttons == []
        result = said(live, locale, "Referred for investigation")
        assert stamp(
            live, locale, "🏁 Closed: {result} · {who} · {time}", result=result, who="Officer"
        ) in (card.plain_text or "")


async def test_two_open_prompts_answered_in_either_order_reach_their_reporters(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    first, second = live.person(), live.person()
    await report(first, "astana", contact=True)
    await report(second, "astana", contact=True)
    await live.deliver()
    one, two = (case_id_of(card) for card in cards(fake_api, group)[:2])
    officer = await live.officer("astana", language=locale, first_name="Officer")
    prompt_one = await open_prompt(live, officer, group, one)
    prompt_two = await open_prompt(live, officer, group, two)

    sent = said(live, locale, "The question was sent to the reporter.")
    reply = await reply_to_prompt(live, officer, group, prompt_two, "Which floor? Q-TWO")
    assert reply.plain_text == sent
    reply = await reply_to_prompt(live, officer, group, prompt_one, "Which office? Q-ONE")
    assert reply.plain_text == sent
    again = await reply_to_prompt(live, officer, group, prompt_one, "And the date? Q-AGAIN")
    assert again.plain_text == said(
        live, locale, "This prompt has been used already: to ask again, press Ask on the card."
    )

    await live.sender.drain(within=3)
    assert "Q-ONE" in (fake_api.messages_in(first.user)[-1].plain_text or "")
    assert "Q-TWO" in (fake_api.messages_in(second.user)[-1].plain_text or "")
    asked = stamp(live, locale, "❓ Question asked · {who} · {time}", who="Officer")
    assert asked in (card_in(live, group, one).plain_text or "")
    assert asked in (card_in(live, group, two).plain_text or "")


async def test_a_reply_to_a_prompt_from_off_the_roster_is_refused(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    [group], case, _reporter = await delivered(live)
    officer = await live.officer("astana", language=locale)
    prompt = await open_prompt(live, officer, group, case)
    member = fake_api.make_user(first_name="Member", language_code=locale)
    reply = await reply_to_prompt(live, member, group, prompt, "Who are you? Q-STRANGER")
    assert reply.plain_text == said(live, locale, "Only the department's officers can do this.")
    assert await live.services.database.fetchall("SELECT id FROM questions") == []
    reply = await reply_to_prompt(live, officer, group, prompt, "/cancel")
    assert reply.plain_text == said(live, locale, "The question was not sent.")
    assert await live.services.database.fetchall("SELECT id FROM questions") == []


async def test_the_prompt_opens_the_reply_box_for_the_pressing_officer_only(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    [group], case, _reporter = await delivered(live)
    officer = await live.officer("astana", language=locale, first_name="Officer")
    mark = fake_api.mark()
    prompt = await open_prompt(live, officer, group, case)
    request = next(r for r in fake_api.requests[mark:] if r.method == "sendMessage")
    markup = request.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    assert markup["force_reply"] is True and markup["selective"] is True
    mentions = [e for e in prompt.raw.get("entities", []) if e.get("type") == "text_link"]
    assert [e["url"] for e in mentions] == [f"tg://user?id={officer.id}"]
    assert prompt.raw["reply_to_message"]["message_id"] == card_message(live, group, case)
    rows: list = []
    for _attempt in range(100):  # the prompt is stored once Telegram has given it its number
        if rows := await live.services.database.fetchall("SELECT * FROM ask_prompts"):
            break
        await asyncio.sleep(0.05)
    assert len(rows) == 1 and str(officer.id) not in repr(tuple(rows[0]))


async def test_the_ask_label_says_when_the_question_waits_for_status(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    [group], case, _reporter = await delivered(live, contact=False)
    await report(live.person(), "astana", contact=True)
    await live.deliver()
    labels = {}
    for card in cards(fake_api, group):
        ask = next(b for b in card.buttons if b["callback_data"].startswith("cs:ask:"))
        labels[case in ask["callback_data"]] = ask["text"]
    assert labels[True] == said(live, locale, "❓ Ask (waits for /status)")
    assert labels[False] == said(live, locale, "❓ Ask the reporter")
    assert all(utf16_length(label) <= 30 for label in labels.values())


async def test_the_answer_stamps_the_card_and_every_chat_of_the_region_sees_actions(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    [group, other], case, reporter = await delivered(live, chats=2)
    officer = await live.officer("astana", language=locale, first_name="Officer")
    mark = fake_api.mark()
    await press_in(fake_api, officer, group, data("acc", case))
    accepted = stamp(live, locale, "✅ Accepted · {who} · {time}", who="Officer")
    assert accepted in (card_in(live, group, case).plain_text or "")
    there = await fake_api.next_reply(other, after=mark, methods=("editMessageText",))
    assert there.message_id == card_message(live, other, case)
    assert accepted in (there.plain_text or ""), "the other chat sees it"
    await live.sender.drain(within=3)

    await reply_to_prompt(
        live, officer, group, await open_prompt(live, officer, group, case), "Q-STAMP?"
    )
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    question = await fake_api.next_reply(reporter.user, after=mark)
    answered = stamp(live, locale, "💬 Answer received · {time}")
    await reporter.press(question.buttons[0]["callback_data"], button="do:done")
    await reporter.say("Кабинет 214 ANSWER-STAMP", button="do:done")
    assert answered not in (card_in(live, group, case).plain_text or ""), "not before the relay"
    await live.sender.drain(within=3)
    assert answered in (card_in(live, group, case).plain_text or "")
    assert answered in (card_in(live, other, case).plain_text or "")
