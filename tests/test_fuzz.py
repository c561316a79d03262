"""Fuzzing every text step, and forging every button family, through the real bot over HTTP.

Each example is a new citizen talking to one live bot; the fake Bot API server checks every reply
against the Bot API and Telegram's limits, and an error escaping a handler fails the test.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.e2e.botprocess import Person
from tests.fakeapi import FakeBotAPI, FakeUser
from tests.live import Live, live_bot

TRICKY = st.sampled_from(
    [
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\ufeff",  # byte order mark
        "\ud800",  # lone high surrogate
        "\udfff",  # lone low surrogate
        "👨‍👩‍👧‍👦",
        "🇰🇿",
        "<b>",
        "&amp;",
        "</code>",
        "\x00",
        "\n",
        " ",
    ]
)
ANY_TEXT = st.one_of(
    st.text(min_size=1, max_size=300),
    st.lists(st.one_of(TRICKY, st.text(max_size=5)), min_size=1, max_size=60).map("".join),
    st.builds(
        lambda n, tail: "ж" * n + tail,
        st.sampled_from([4095, 4096]),
        st.sampled_from(["", "😀", "\ud83d", "a"]),
    ),
).filter(lambda text: text.strip() and not text.startswith("/"))

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def live(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Live]:
    async for running in live_bot(fake_api, tmp_path):
        yield running


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR)
    return caplog


def escaped(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def reply_to(api: FakeBotAPI, user: FakeUser, text: str) -> str:
    mark = api.mark()
    api.send_text(user, text)
    return (await api.next_reply(user, after=mark)).plain_text or ""


@FUZZ
@given(place=ANY_TEXT, body=ANY_TEXT)
@example(place="Акимат \ud800 района", body="Берут взятки \udfff" * 3)
@example(place="\u202e\u200b\u2066", body="ж" * 4096 + "😀")
@example(place="<b>&amp;</code>", body="😀" * 2048)
async def test_any_text_at_the_place_and_body_steps_through_submission(
    live: Live, fake_api: FakeBotAPI, errors: pytest.LogCaptureFixture, place: str, body: str
) -> None:
    for fuzzed_place in (place, "Акимат"):
        person = Person(fake_api, fake_api.make_user(language_code="ru"))
        await person.command("/report", button="rg:abai")
        await person.press("rg:abai", button="sp:akimat")
        await person.press("sp:akimat", button="wh:week")
        await person.press("wh:week", button="do:skip")
        assert await reply_to(fake_api, person.user, fuzzed_place)
    # The second citizen's place was accepted: their fuzzed text goes all the way to a receipt.
    await person.say(f"{body} — и это продолжается каждый месяц", button="do:done")
    await person.press("do:done", button="do:skip")
    await person.press("do:skip", button="do:cyes")
    review = await person.press("do:cno", button="do:submit")
    assert review.plain_text
    assert "-" in (await person.press("do:submit", expect="-")).plain_text
    assert not escaped(errors)
    assert not fake_api.violations


@FUZZ
@given(code=ANY_TEXT, idle=ANY_TEXT)
@example(code="ABCD-\ud800FGH-JKLM-NPQR", idle="\ud83d")
async def test_any_text_as_a_receipt_code_and_when_idle(
    live: Live, fake_api: FakeBotAPI, errors: pytest.LogCaptureFixture, code: str, idle: str
) -> None:
    user = fake_api.make_user(language_code="kk")
    assert await reply_to(fake_api, user, idle)
    person = Person(fake_api, user)
    await person.command("/status")
    assert await reply_to(fake_api, user, code)
    assert not escaped(errors)
    assert not fake_api.violations


FAMILIES = ["lang", "rg", "sp", "wh", "do", "ed", "rp", "cs", "bd", "bc", "nr"]
FORGERIES = [
    "",
    ":",
    "::::::",
    "x" * 64,
    "\ud800",
    "0",
    "-1",
    "99999999999999999999999",
    "acc:" + "0" * 32,
    "acc:../../etc",
    "pause:1",
    "pause:abc",
    "send:",
    "aud:region.atlantis",
    "aud:locale.en",
    "tpl:nothing",
    "edit:en",
]


async def row_counts(live: Live) -> dict[str, int]:
    tables = await live.services.database.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    )
    return {
        row[0]: (await live.services.database.fetchone(f"SELECT count(*) FROM {row[0]}"))[0]
        for row in tables
    }


@pytest.mark.parametrize("family", FAMILIES)
async def test_forged_data_of_every_button_family_changes_nothing(
    live: Live, fake_api: FakeBotAPI, errors: pytest.LogCaptureFixture, family: str
) -> None:
    """From a citizen's private chat and from a group, valid-looking or garbage."""
    person = Person(fake_api, fake_api.make_user(language_code="ru"))
    menu = await person.command("/start", button="do:new")
    in_group = fake_api.send_text(person.user, "hello", chat=fake_api.make_group())
    before = await row_counts(live)
    for forged in FORGERIES:
        data = f"{family}:{forged}"[:64]
        for message in (menu, in_group):
            await fake_api.answer_to(fake_api.press_forged(person.user, data, message))
    assert await row_counts(live) == before
    assert not escaped(errors)
    assert not fake_api.unanswered_callback_queries()


ODD_CONTENT = {
    "sticker": None,
    "location": {"location": {"latitude": 43.238949, "longitude": 76.889709}},
    "contact": {"contact": {"phone_number": "+77011234567", "first_name": "Айгерим"}},
    "poll": {
        "poll": {
            "id": "1",
            "question": "?",
            "options": [
                {"persistent_id": "a", "text": "a", "voter_count": 0},
                {"persistent_id": "b", "text": "b", "voter_count": 0},
            ],
            "allows_revoting": False,
            "members_only": False,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
    },
}


async def odd_messages(api: FakeBotAPI, user: FakeUser) -> None:
    """A sticker, a location, a contact and a poll: each gets an answer and changes nothing."""
    for kind, content in ODD_CONTENT.items():
        mark = api.mark()
        if content is None:
            api.send_sticker(user)
        else:
            api.send_content(user, content)
        assert await api.next_reply(user, after=mark), kind


async def test_stickers_locations_contacts_and_polls_at_every_step(
    live: Live, fake_api: FakeBotAPI, errors: pytest.LogCaptureFixture
) -> None:
    person = Person(fake_api, fake_api.make_user(language_code="kk"))
    user = person.user
    await odd_messages(fake_api, user)
    await person.command("/report", button="rg:abai")
    await odd_messages(fake_api, user)
    await person.press("rg:abai", button="sp:akimat")
    await odd_messages(fake_api, user)
    await person.press("sp:akimat", button="wh:week")
    await odd_messages(fake_api, user)
    await person.press("wh:week", button="do:skip")
    await odd_messages(fake_api, user)
    await person.press("do:skip", button="do:back")
    await odd_messages(fake_api, user)
    await person.say("Начальник требует деньги за справку, 30 000 тенге", button="do:done")
    await odd_messages(fake_api, user)
    await person.press("do:done", button="do:skip")
    await odd_messages(fake_api, user)
    await person.press("do:skip", button="do:cyes")
    await odd_messages(fake_api, user)
    await person.press("do:cno", button="do:submit")
    await odd_messages(fake_api, user)
    receipt_message = await person.press("do:submit", expect="-")
    await person.command("/status")
    await odd_messages(fake_api, user)
    assert receipt_message.plain_text
    rows = await live.services.database.fetchall("SELECT place, body FROM reports")
    assert len(rows) == 1 and rows[0][0] is None, "nothing odd was taken as the place"
    assert not escaped(errors)
