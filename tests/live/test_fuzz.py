"""Fuzzing every text step, and forging every button family, through the real bot over HTTP.

Each example is a new citizen talking to one live bot; the fake Bot API server checks every reply
against the Bot API and Telegram's limits, and an error escaping a handler fails the test.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram.utils.i18n import gettext as _
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.broadcasts.service import parse_moment
from bot.telegram.throttle import Rate
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support.live import Live, live_bot
from tests.support.people import Person

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
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR)
    return caplog


def escaped(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def answer_of(
    api: FakeBotAPI,
    user: FakeUser,
    text: str,
    *,
    chat: FakeChat | None = None,
) -> SentMessage:
    """The bot's first message in the chat after ``user`` sends ``text`` there."""
    mark = api.mark()
    api.send_text(user, text, chat=chat)
    return await api.next_reply(chat or user, after=mark)


async def reply_to(api: FakeBotAPI, user: FakeUser, text: str) -> str:
    return (await answer_of(api, user, text)).plain_text or ""


async def command_reply(api: FakeBotAPI, user: FakeUser, command: str) -> str:
    mark = api.mark()
    api.send_command(user, command)
    return (await api.next_reply(user, after=mark)).plain_text or ""


def telegram_length(text: str) -> int:
    """UTF-16 code units, as Telegram counts them; a lone surrogate is one."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible(text: str) -> str:
    """``text`` as the bot reads it: JSON joins a high and a low surrogate into one character, and
    the bot makes a lone one, and a NUL, U+FFFD."""
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return joined.replace("\x00", "\ufffd")


def translated(live: Live, locale: str, text: str) -> str:
    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        return _(text)


def hint(live: Live, template: str) -> str:
    """A Russian hint naming the «Done» button by the label the keyboard shows."""
    return translated(live, "ru", template).format(button=translated(live, "ru", "✅ Done"))


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
    return {
        table: (await live.services.database.fetchone(f"SELECT count(*) FROM {table}"))[0]
        for table in await live.services.database.tables()
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


BODY = "Начальник отдела акимата требует 200 000 тенге за выдачу разрешения."


async def file_report(person: Person, region: str, *, contact: bool) -> str:
    """A citizen files a report in ``region``; returns its receipt code."""
    await person.walk_to_review(BODY, region=region, contact=contact)
    receipt_text = (await person.press("do:submit", expect="-")).plain_text or ""
    return next(line for line in receipt_text.splitlines() if line.count("-") == 3)


@dataclass(frozen=True)
class Department:
    """A department group holding two delivered cases: one whose reporter allows questions."""

    group: FakeChat
    officer: FakeUser
    reporter: Person
    code: str
    cases: dict[bool, str]
    """Case id by whether its reporter allowed questions through the bot."""


@pytest.fixture
async def unthrottled_live(
    fake_api: FakeBotAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Live]:
    """A live bot whose flood limit lets one admin or reporter type a hundred messages at once."""
    monkeypatch.setattr("bot.app.shared.MESSAGES", Rate(per_minute=6000, burst=6000))
    monkeypatch.setattr("bot.app.shared.PRESSES", Rate(per_minute=6000, burst=6000))
    async for running in live_bot(fake_api, tmp_path):
        yield running


@pytest.fixture
async def department(unthrottled_live: Live, fake_api: FakeBotAPI) -> Department:
    live = unthrottled_live
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group, language="ru")
    officer = await live.officer("astana", first_name="Officer")
    reporter = live.person()
    await file_report(reporter, "astana", contact=True)
    code = await file_report(live.person(), "astana", contact=False)
    await live.deliver()
    rows = await live.services.database.fetchall("SELECT id, contact IS NOT NULL FROM reports")
    return Department(group, officer, reporter, code, {bool(row[1]): row[0] for row in rows})


async def count(live: Live, sql: str) -> int:
    return (await live.services.database.fetchone(sql))[0]


def answer_button(message: SentMessage) -> str | None:
    return next(
        (
            b["callback_data"]
            for b in message.buttons
            if b.get("callback_data", "").startswith("rp:")
        ),
        None,
    )


async def ask(live: Live, department: Department, case: str, question: str) -> SentMessage:
    """An officer presses «Ask» on the case card and replies with ``question``."""
    api = live.api
    officer = department.officer
    mark = api.mark()
    api.press(officer, f"cs:ask:{case}:", chat=department.group)
    prompt = await api.next_reply(department.group, after=mark, methods=("sendMessage",))
    mark = api.mark()
    sent = api.send_text(officer, question, chat=department.group, reply_to=prompt)
    return await api.next_reply(  # the card is stamped first (tests/live/test_card.py)
        department.group,
        after=mark,
        where=lambda m: m.raw.get("reply_to_message", {}).get("message_id") == sent["message_id"],
    )


async def open_question(live: Live, department: Department, opted_in: bool) -> tuple[Person, str]:
    """Who answers the newest question, and its «Answer» button: by message, or via /status."""
    api = live.api
    mark = api.mark()
    if opted_in:
        answerer = department.reporter
        await live.sender.drain(within=3)
    else:
        answerer = live.person()
        api.send_command(answerer.user, f"/status {department.code}")
    shown = await api.next_reply(answerer.user, after=mark, where=answer_button)
    return answerer, answer_button(shown) or ""


@FUZZ
@given(question=ANY_TEXT, answer=ANY_TEXT, opted_in=st.booleans())
@example(question="😀" * 2048, answer="ж" * 4096 + "😀", opted_in=False)
@example(question="😀" * 2048, answer="<b>&amp;</code>", opted_in=True)
@example(question="ж" * 3001, answer="\u202e\ud800\u200b", opted_in=True)
async def test_any_text_as_an_officers_question_and_as_the_reporters_answer(
    unthrottled_live: Live,
    fake_api: FakeBotAPI,
    errors: pytest.LogCaptureFixture,
    department: Department,
    question: str,
    answer: str,
    opted_in: bool,
) -> None:
    live = unthrottled_live
    case = department.cases[opted_in]
    asked = (await ask(live, department, case, question)).plain_text
    if telegram_length(question.strip()) > 3000:
        refusal = translated(live, "ru", "Please keep the question under {limit} characters.")
        assert asked == refusal.format(limit=3000)
        asked = (await ask(live, department, case, "Назовите номер кабинета")).plain_text
    assert asked == translated(
        live,
        "ru",
        "The question was sent to the reporter."
        if opted_in
        else "The reporter did not allow questions through the bot: the question will wait "
        "for them when they check the report with /status.",
    )
    answerer, button = await open_question(live, department, opted_in)
    await answerer.press(button, button="do:done")
    passed_on = await answer_of(fake_api, answerer.user, answer)
    assert passed_on.plain_text == hint(
        live, "Passed on to the service. Send more, or press «{button}»."
    )
    await answerer.press("do:done", expect="")
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    assert "💬" in ((await fake_api.next_reply(department.group, after=mark)).plain_text or "")
    assert await count(live, "SELECT count(*) FROM questions WHERE answered_at IS NULL") == 0
    assert not escaped(errors)
    assert not fake_api.violations


@FUZZ
@given(addition=ANY_TEXT)
@example(addition="ж" * 4000 + "\u200b")
@example(addition="😀" * 4000)
async def test_any_text_added_to_a_report_after_status(
    unthrottled_live: Live,
    fake_api: FakeBotAPI,
    errors: pytest.LogCaptureFixture,
    department: Department,
    addition: str,
) -> None:
    live = unthrottled_live
    citizen = live.person()
    await citizen.command(f"/status {department.code}", button="do:addinfo")
    await citizen.press("do:addinfo", button="do:done")
    notes = await count(live, "SELECT count(*) FROM report_notes")
    reply = await answer_of(fake_api, citizen.user, addition)
    accepted = len(addition.strip()) <= 4000
    if accepted:
        assert reply.plain_text == hint(
            live, "Added to the report. Send more, or press «{button}»."
        )
    else:
        refusal = "Please split it: one message can hold at most {limit} characters."
        assert reply.plain_text == translated(live, "ru", refusal).format(limit=4000)
    assert await count(live, "SELECT count(*) FROM report_notes") == notes + accepted
    assert not escaped(errors)
    assert not fake_api.violations


async def test_stickers_locations_contacts_and_polls_when_adding_and_answering(
    unthrottled_live: Live,
    fake_api: FakeBotAPI,
    errors: pytest.LogCaptureFixture,
    department: Department,
) -> None:
    live = unthrottled_live
    citizen = live.person()
    await citizen.command(f"/status {department.code}", button="do:addinfo")
    await citizen.press("do:addinfo", button="do:done")
    before = await row_counts(live)
    await odd_messages(fake_api, citizen.user)
    assert await row_counts(live) == before
    added = await reply_to(fake_api, citizen.user, "Кабинет 214, второй этаж")
    assert added == hint(live, "Added to the report. Send more, or press «{button}».")

    await ask(live, department, department.cases[True], "Назовите номер кабинета")
    answerer, button = await open_question(live, department, True)
    await answerer.press(button, button="do:done")
    before = await row_counts(live)
    await odd_messages(fake_api, answerer.user)
    assert await row_counts(live) == before
    answered = await reply_to(fake_api, answerer.user, "Кабинет 214")
    assert answered == hint(live, "Passed on to the service. Send more, or press «{button}».")
    assert not escaped(errors)


@FUZZ
@given(text=ANY_TEXT)
@example(text="ж" * 4096 + "😀")
async def test_any_text_at_the_button_and_file_steps_is_refused(
    live: Live, fake_api: FakeBotAPI, errors: pytest.LogCaptureFixture, text: str
) -> None:
    person = live.person()
    buttons = translated(live, "ru", "Please choose one of the buttons.")
    offer = translated(
        live, "ru", "This step is for files. Add this text to the description of what happened?"
    )
    files = translated(live, "ru", "This step expects a photo, video, document or voice message.")
    await person.command("/report", button="rg:abai")
    assert await reply_to(fake_api, person.user, text) == buttons
    await person.press("rg:abai", button="sp:akimat")
    assert await reply_to(fake_api, person.user, text) == buttons
    await person.press("sp:akimat", button="wh:week")
    assert await reply_to(fake_api, person.user, text) == buttons
    await person.press("wh:week", button="do:skip")
    await person.press("do:skip", button="do:back")
    await person.say(BODY, button="do:done")
    await person.press("do:done", button="do:skip")
    answer = await reply_to(fake_api, person.user, text)
    if text.strip():
        assert answer == offer, "a text at the file step is offered to the description"
        await person.press("do:txdrop", button="do:skip")
    else:
        assert answer.startswith(files)
    await person.press("do:skip", button="do:cyes")
    assert await reply_to(fake_api, person.user, text) == buttons
    await person.press("do:cno", button="do:submit")
    assert await reply_to(fake_api, person.user, text) == buttons
    await person.press("do:submit", expect="-")
    row = await live.services.database.fetchone(
        "SELECT place FROM reports ORDER BY created_at DESC LIMIT 1"
    )
    assert row[0] is None, "no refused text was taken as the place"
    assert not escaped(errors)
    assert not fake_api.violations


MOMENTS = st.one_of(
    ANY_TEXT,
    st.builds(
        "{}.{}.{} {}:{}".format,
        *(st.integers(min_value=-1, max_value=10**6) for _field in range(5)),
    ),
    st.sampled_from(
        [
            "٢٥.١١.٢٠٢٦ ١٠:٠٠",
            "25.11.2026\u200b 10:00",
            "29.02.2027 10:00",
            "31.12.9999 23:59",
            "01.01.0001 00:00",
            "2026-11-25 24:00",
        ]
    ),
)


@FUZZ
@given(kk=ANY_TEXT, ru=ANY_TEXT, moment=MOMENTS)
@example(kk="ж" * 4096, ru="<b>&amp;</code>\ud800", moment="25.11.2999 10:00")
@example(kk="\u202e\u2066\u200d", ru="ж" * 4095 + "😀", moment="😀")
@example(kk="0", ru="\ud800\udfff", moment="0")
async def test_any_text_as_broadcast_versions_and_schedule(
    unthrottled_live: Live,
    fake_api: FakeBotAPI,
    errors: pytest.LogCaptureFixture,
    kk: str,
    ru: str,
    moment: str,
) -> None:
    live = unthrottled_live
    admin = Person(fake_api, live.admin)
    too_long = translated(
        live, "ru", "Please split it: one message can hold at most {limit} characters."
    )
    await admin.command("/broadcast", button="bd:own:")
    await admin.press("bd:own:", expect="/skip")
    kept = []
    for version, fallback in ((kk, "Жаңалық"), (ru, "Новость")):
        reply = await answer_of(fake_api, live.admin, version)
        if telegram_length(version) > 4096:
            assert reply.plain_text == too_long.format(limit=4096)
            await answer_of(fake_api, live.admin, fallback)
        kept.append(fallback if telegram_length(version) > 4096 else visible(version))
    mark = fake_api.mark()
    await admin.press("bd:aud:all", button="bd:sch:")
    previews = [
        r.message.plain_text for r in fake_api.calls("sendMessage", after=mark) if r.message
    ]
    assert previews[1:4:2] == kept, "each version is previewed exactly as it was written"
    await admin.press("bd:sch:", expect="10:00")
    scheduled = await count(live, "SELECT count(*) FROM broadcasts")
    reply = await answer_of(fake_api, live.admin, moment)
    valid = isinstance(parse_moment(moment, live.services.settings.tz, datetime.now(UTC)), datetime)
    assert ("№" in (reply.plain_text or "")) == valid
    assert await count(live, "SELECT count(*) FROM broadcasts") == scheduled + valid
    if not valid:
        cancelled = await command_reply(fake_api, live.admin, "/cancel")
        assert cancelled == translated(live, "ru", "The broadcast was not sent.")
    assert not escaped(errors)
    assert not fake_api.violations


CITIZEN_COMMANDS = ("/start", "/status", "/join", "/unlink")
ADMIN_COMMANDS = ("/invite", "/audit", "/unlink", "/rename", "/rename abai ru", "/departments")
ARGUMENTS = st.one_of(
    ANY_TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["r_abai", "r_" + "x" * 60, "№ 1", "#²", "١٢", "9" * 5000]),
)


@FUZZ
@given(argument=ARGUMENTS)
@example(argument="²")
@example(argument="99999999999999999999")
@example(argument="Департамент\x00 имени")
async def test_any_text_as_a_command_argument(
    unthrottled_live: Live, fake_api: FakeBotAPI, errors: pytest.LogCaptureFixture, argument: str
) -> None:
    citizen = fake_api.make_user(language_code="kk")
    for name in CITIZEN_COMMANDS:
        assert await command_reply(fake_api, citizen, f"{name} {argument}"), name
    for name in ADMIN_COMMANDS:
        assert await command_reply(fake_api, unthrottled_live.admin, f"{name} {argument}"), name
    assert not escaped(errors)
    assert not fake_api.violations
