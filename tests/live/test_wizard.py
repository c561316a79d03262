"""The wizard never loses what was typed, asks before deleting, and fits a phone (issue 13).

Each case is replayed through the real Dispatcher, in Kazakh and in Russian.
"""

from __future__ import annotations

import re

import pytest
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage
from aiogram.types import InlineKeyboardMarkup

from bot.app import Services
from bot.settings import Settings
from tests.fakeapi import FakeBotAPI
from tests.support.dialog import BODY, read_book, receipt_code
from tests.support.harness import Citizen, buttons, last_markup, texts
from tests.support.live import Live
from tests.support.live_speaker import LiveSpeaker

LANGUAGES = pytest.mark.parametrize("language", ["kk", "ru"])
ADMIN = 900100200
PLACE = "Городская поликлиника №4"
STORY = "Мне в акимате сказали принести 200 000 тенге за участок, иначе откажут."
# About twenty lines of a chat bubble on a phone, 34 characters each.
PHONE_SCREEN = 680
HALF_ROW = 16


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The usual test settings, with one admin."""
    return settings.model_copy(update={"admin_ids": frozenset({ADMIN})})


@pytest.fixture
def services(live: Live) -> Services:
    """The running bot's services, for the tests that look into its database."""
    return live.services


@pytest.fixture
def speaker(live: Live, language: str) -> LiveSpeaker:
    """A citizen talking to the polling bot through the fake Bot API."""
    return LiveSpeaker(live, live.api.make_user(language_code=language, first_name="Айгерим"))


def review_text(requests: list) -> str:
    assert "do:submit" in buttons(requests).values(), "the review is shown"
    return texts(requests)[-1]


async def to_place(citizen: Citizen) -> None:
    await citizen.say("/report")
    for data in ("rg:abai", "sp:police", "wh:today"):
        await citizen.press(data)


async def place_to_review(citizen: Citizen, *, place: str | None = PLACE) -> list:
    if place:
        await citizen.say(place)
    else:
        await citizen.press("do:skip")
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.press("do:skip")
    return await citizen.press("do:cno")


@LANGUAGES
async def test_back_to_a_filled_place_keeps_it(speaker: Citizen) -> None:
    await to_place(speaker)
    await speaker.say(PLACE)
    back = await speaker.press("do:back")
    shown = buttons(back)
    assert PLACE in texts(back)[-1], "the place is shown"
    assert "do:keep" in shown.values(), "a filled step offers Keep and continue"
    assert "Skip ➡️" not in shown and "Өткізіп жіберу ➡️" not in shown, "no silent Skip"
    await speaker.press("do:keep")
    await speaker.say(BODY)
    await speaker.press("do:done")
    await speaker.press("do:skip")
    assert PLACE in review_text(await speaker.press("do:cno"))


@LANGUAGES
async def test_clearing_a_place_is_said_on_its_button(speaker: Citizen) -> None:
    await to_place(speaker)
    review = await place_to_review(speaker)
    edit = await speaker.press("ed:place")
    clear = next(label for label, data in buttons(edit).items() if data == "do:skip")
    assert "🗑" in clear, "the button that erases says so"
    assert PLACE not in review_text(await speaker.press("do:skip"))
    assert PLACE in review_text(review)


@LANGUAGES
async def test_every_filled_button_step_can_be_kept(speaker: Citizen) -> None:
    await to_place(speaker)
    before = review_text(await place_to_review(speaker))
    for field, choice in (("region", "rg:"), ("sphere", "sp:"), ("when", "wh:")):
        edit = await speaker.press(f"ed:{field}")
        assert any(data.startswith(choice) for data in buttons(edit).values())
        assert "do:keep" in buttons(edit).values(), field
        assert review_text(await speaker.press("do:keep")) == before, field


async def test_keep_on_an_empty_step_changes_nothing(citizen: Citizen) -> None:
    await citizen.say("/report")
    forged = await citizen.press("do:keep")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in forged)
    assert not [r for r in forged if isinstance(r, EditMessageText)]


@LANGUAGES
async def test_cancel_asks_once_the_draft_has_content(speaker: Citizen, services: Services) -> None:
    await to_place(speaker)
    await speaker.say(PLACE)
    asked = await speaker.press("do:cancel")
    assert set(buttons(asked).values()) == {"do:cxyes", "do:cxno"}
    back = await speaker.press("do:cxno")
    assert "do:done" not in buttons(back).values() and "do:back" in buttons(back).values()
    assert "2" in texts(back)[-1] or "5" in texts(back)[-1]
    await speaker.say(BODY)
    asked = await speaker.say("/cancel")
    assert "do:cxyes" in buttons(asked).values(), "/cancel asks too"
    await speaker.press("do:cxno")
    await speaker.press("do:done")
    await speaker.press("do:skip")
    assert PLACE in review_text(await speaker.press("do:cno")), "nothing was lost"
    await speaker.press("do:cancel")
    await speaker.press("do:cxyes")
    assert (await services.database.fetchone("SELECT count(*) FROM fsm WHERE state IS NOT NULL"))[
        0
    ] == 0
    stale = await speaker.press("do:cxno")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in stale)


@LANGUAGES
async def test_an_empty_draft_is_cancelled_at_once(speaker: Citizen) -> None:
    await speaker.say("/report")
    cancelled = await speaker.press("do:cancel")
    assert "do:cxyes" not in buttons(cancelled).values()
    assert "/report" in texts(cancelled)[-1]


@LANGUAGES
async def test_review_puts_submit_first_and_cancel_last(speaker: Citizen) -> None:
    await to_place(speaker)
    review = await place_to_review(speaker)
    markup = last_markup(review)
    assert isinstance(markup, InlineKeyboardMarkup)
    rows = [[button.callback_data for button in row] for row in markup.inline_keyboard]
    assert rows[0] == ["do:submit"], "Submit on its own row right under the text"
    assert "do:cancel" in rows[-1] and "do:submit" not in rows[-1]
    assert len(rows) <= 5, "the review keyboard stays short"


@LANGUAGES
async def test_a_story_typed_at_the_menu_starts_a_report(
    speaker: Citizen, services: Services
) -> None:
    await speaker.say("/start")
    offer = await speaker.say(STORY)
    assert "do:txstart" in buttons(offer).values(), "the text is offered, not refused"
    row = await services.database.fetchone("SELECT data FROM fsm")
    assert b"200 000" not in bytes(row[0]), "the text is kept sealed"
    step = await speaker.press("do:txstart")
    assert "rg:abai" in buttons(step).values(), "the dialog starts at the region"
    for data in ("rg:abai", "sp:land", "wh:week", "do:skip"):
        await speaker.press(data)
    await speaker.press("do:done")
    await speaker.press("do:skip")
    review = review_text(await speaker.press("do:cno"))
    assert STORY in review
    code = receipt_code(await speaker.press("do:submit"))
    assert await services.reports.lookup(code) is not None


@LANGUAGES
async def test_a_story_in_two_parts_then_report_button_keeps_both(speaker: Citizen) -> None:
    await speaker.say(STORY)
    await speaker.say("Это было в понедельник, кабинет 12.")
    await speaker.say("/report")
    for data in ("rg:abai", "sp:land", "wh:week", "do:skip"):
        await speaker.press(data)
    await speaker.press("do:done")
    await speaker.press("do:skip")
    review = review_text(await speaker.press("do:cno"))
    assert STORY in review and "кабинет 12" in review


@LANGUAGES
async def test_a_declined_story_is_forgotten(speaker: Citizen, services: Services) -> None:
    await speaker.say(STORY)
    declined = await speaker.press("do:txdrop")
    assert "do:new" in buttons(declined).values()
    assert (await services.database.fetchone("SELECT count(*) FROM fsm"))[0] == 0
    await speaker.say("/report")
    for data in ("rg:abai", "sp:land", "wh:week"):
        await speaker.press(data)
    body = await speaker.press("do:skip")
    assert "do:done" not in buttons(body).values(), "the description starts empty"


async def test_a_receipt_code_typed_at_the_menu_is_not_kept(
    citizen: Citizen, services: Services
) -> None:
    answer = await citizen.say("XRCV-9FQT-Q5L9-FANA")
    assert "do:txstart" not in buttons(answer).values()
    assert (await services.database.fetchone("SELECT count(*) FROM fsm"))[0] == 0


@LANGUAGES
async def test_a_fact_typed_at_the_evidence_step_joins_the_description(speaker: Citizen) -> None:
    await to_place(speaker)
    await speaker.press("do:skip")
    await speaker.say(BODY)
    await speaker.press("do:done")
    offer = await speaker.say("Номер машины инспектора 123 ABC 02.")
    assert set(buttons(offer).values()) == {"do:txadd", "do:txdrop"}
    added = await speaker.press("do:txadd")
    assert "do:skip" in buttons(added).values(), "back at the evidence step"
    await speaker.say("Это лишнее.")
    await speaker.press("do:txdrop")
    await speaker.press("do:skip")
    review = review_text(await speaker.press("do:cno"))
    assert "123 ABC 02" in review and "лишнее" not in review


QUOTED = re.compile(r"«([^»]+)»")


def hints_match_buttons(requests: list) -> list[str]:
    """Every «button» a message names, checked against the keyboard under that message."""
    named = []
    for request in requests:
        if not isinstance(request, SendMessage | EditMessageText):
            continue
        markup = request.reply_markup
        labels = (
            {button.text for row in markup.inline_keyboard for button in row}
            if isinstance(markup, InlineKeyboardMarkup)
            else set()
        )
        for name in QUOTED.findall(request.text):
            assert name in labels, f"«{name}» is named but not shown: {labels}"
            named.append(name)
    return named


@LANGUAGES
async def test_every_hint_names_a_button_on_its_screen(speaker: Citizen) -> None:
    seen: list = []
    for action in (
        speaker.say("/report"),
        speaker.press("rg:abai"),
        speaker.press("sp:police"),
        speaker.press("wh:today"),
        speaker.press("do:skip"),
        speaker.say(BODY),
        speaker.say("а" * 7950),
        speaker.press("do:done"),
        speaker.sticker(),
        speaker.say("факт"),
        speaker.press("do:txadd"),
        speaker.press("do:filesinfo"),
        speaker.photo(b"\xff\xd8photo"),
        speaker.sticker(),
        speaker.say("ещё факт"),
        speaker.press("do:txdrop"),
        speaker.press("do:done"),
        speaker.press("do:cno"),
    ):
        seen += await action
    code = receipt_code(await speaker.press("do:submit"))
    for action in (
        speaker.say(f"/status {code}"),
        speaker.press("do:addinfo"),
        speaker.sticker(),
        speaker.say("дополнение"),
    ):
        seen += await action
    named = hints_match_buttons(seen)
    assert len(set(named)) >= 4 and len(named) >= 9, named


@LANGUAGES
async def test_saved_text_is_acknowledged_without_a_repeated_word(speaker: Citizen) -> None:
    await to_place(speaker)
    await speaker.press("do:skip")
    saved = texts(await speaker.say(BODY))[-1]
    first = saved.split()[0].strip(".:").lower()
    assert saved.lower().count(first) == 1, saved


@LANGUAGES
async def test_a_deep_link_says_which_region_it_chose(speaker: Citizen) -> None:
    shown = await speaker.say("/start r_almaty_city")
    step = texts(shown)[-1]
    assert "Алматы" in step.splitlines()[0], "the screen starts with the region from the link"
    assert "do:chregion" in buttons(shown).values()
    regions = await speaker.press("do:chregion")
    assert "rg:shymkent" in buttons(regions).values()
    assert "do:keep" in buttons(regions).values(), "the linked region can be kept"
    sphere = await speaker.press("rg:shymkent")
    assert "do:chregion" not in buttons(sphere).values(), "a chosen region is not from the link"
    for data in ("sp:police", "wh:today", "do:skip"):
        await speaker.press(data)
    await speaker.say(BODY)
    await speaker.press("do:done")
    await speaker.press("do:skip")
    assert "Шымкент" in review_text(await speaker.press("do:cno"))


@LANGUAGES
async def test_welcome_is_short_and_sent_once(speaker: Citizen) -> None:
    first = await speaker.say("/start")
    welcome = texts(first)[0]
    assert len(welcome) < 500 and "102" in welcome and "1424" in welcome and "Telegram" in welcome
    sent = [r for r in first if isinstance(r, SendMessage)]
    assert sent[0].reply_markup.inline_keyboard[0][0].callback_data == "do:privacy"
    again = await speaker.say("/start")
    assert len(texts(again)) == 1 and "do:new" in buttons(again).values(), "just the menu"
    linked = await speaker.say("/start r_shymkent")
    assert len(texts(linked)) == 1 and "sp:police" in buttons(linked).values()


@LANGUAGES
async def test_help_and_privacy_pages_each_fit_a_phone(speaker: Citizen) -> None:
    for command in ("/help", "/privacy"):
        first = await speaker.say(command)
        assert len(buttons(first)) >= 6
        for label in buttons(first):
            assert len(label) <= HALF_ROW + 2, label  # two a row; "• " marks the page shown
        for data in buttons(first).values():
            page = texts(await speaker.press(data))[-1]
            assert len(page) < PHONE_SCREEN, (data, len(page))
    assert "/broadcast" not in await read_book(speaker, await speaker.say("/help"))


@LANGUAGES
async def test_privacy_pages_keep_every_fact(speaker: Citizen) -> None:
    book = await read_book(speaker, await speaker.say("/privacy"))
    for fact in ("AES-256-GCM", "HEIC", "Telegram", "/news", "24"):
        assert fact in book, fact


@LANGUAGES
async def test_an_admin_help_explains_the_admin_commands(citizen_factory, language: str) -> None:
    admin = citizen_factory(user_id=ADMIN, language_code=language)
    first = await admin.say("/help")
    book = await read_book(admin, first)
    for data in buttons(first).values():
        assert len(texts(await admin.press(data))[-1]) < PHONE_SCREEN, data
    for command in (
        "/broadcast",
        "/broadcasts",
        "/stats",
        "/export",
        "/departments",
        "/invite",
        "/officers",
        "/remove",
        "/unlink",
        "/rename",
        "/audit",
        "/reopen",
    ):
        assert command in book, command
    citizen = citizen_factory(language_code=language)
    forged = await citizen.press("pg:help:departments")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in forged)


@LANGUAGES
async def test_evidence_advice_is_one_tap_away(speaker: Citizen) -> None:
    await to_place(speaker)
    await speaker.press("do:skip")
    await speaker.say(BODY)
    step = await speaker.press("do:done")
    assert len(texts(step)[-1]) < 480, "short: the details are one tap away"
    assert "do:filesinfo" in buttons(step).values()
    details = await speaker.press("do:filesinfo")
    assert "HEIC" in texts(details)[-1]
    assert "do:filesinfo" not in buttons(details).values()
    assert "do:skip" in buttons(details).values(), "the step goes on from the advice"


@LANGUAGES
async def test_busiest_regions_first_and_spheres_two_a_row(speaker: Citizen) -> None:
    regions = last_markup(await speaker.say("/report"))
    assert isinstance(regions, InlineKeyboardMarkup)
    first = [button.callback_data for button in regions.inline_keyboard[0]]
    first += [button.callback_data for button in regions.inline_keyboard[1]]
    assert first[:3] == ["rg:astana", "rg:almaty_city", "rg:shymkent"]
    spheres = last_markup(await speaker.press("rg:abai"))
    assert isinstance(spheres, InlineKeyboardMarkup)
    assert len(spheres.inline_keyboard) <= 11, "no longer 19 rows"
    for row in spheres.inline_keyboard:
        if len(row) == 2:
            assert all(len(button.text) <= HALF_ROW for button in row), row
    review = review_text(await place_to_review(await _at_when(speaker, "sp:state_revenue")))
    assert "(" in review, "the review names the sphere in full"


async def _at_when(citizen: Citizen, sphere: str) -> Citizen:
    await citizen.press(sphere)
    await citizen.press("wh:today")
    return citizen


# ------------------------------------------------- replayed through the fake Bot API


@LANGUAGES
async def test_a_story_typed_after_start_reaches_the_department(
    live: Live, fake_api: FakeBotAPI, language: str
) -> None:
    group = fake_api.make_group(title="Abai officers")
    await live.link("abai", group)
    person = live.person(language)
    await person.command("/start", button="do:new")
    await person.say(STORY, button="do:txstart")
    await person.press("do:txstart", button="rg:abai")
    await person.press("rg:abai", button="sp:land")
    await person.press("sp:land", button="wh:week")
    await person.press("wh:week", button="do:skip")
    body = await person.press("do:skip", button="do:done")
    assert "200 000" not in (body.plain_text or ""), "the step counts the text, not echoes it"
    await person.press("do:done", button="do:skip")
    await person.say("Кабинет 12, второй этаж.", button="do:txadd")
    await person.press("do:txadd", button="do:skip")
    await person.press("do:skip", button="do:cyes")
    review = await person.press("do:cno", button="do:submit")
    assert STORY in (review.plain_text or "") and "Кабинет 12" in (review.plain_text or "")
    await person.press("do:submit", expect="-")
    assert await live.deliver() == 0
    card = [m for m in fake_api.messages_in(group) if STORY in (m.plain_text or "")]
    assert card and "Кабинет 12" in (card[-1].plain_text or ""), "the officers get the story"
