"""An officer's question cannot carry a link the reporter could tap (bot/security/inert.py).

``tappable`` approximates Telegram's own entity finders (TDLib's: URLs with or without a scheme,
``tg:`` links, e-mails, mentions, hashtags, cashtags, bot commands; the Bot API's phone numbers
in international form); a question with every form of them reaches the reporter with none left.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.security.inert import inert
from tests.fakeapi import FakeBotAPI, SentMessage
from tests.support.flows import cards, case_id_of, data, report
from tests.support.live import Live

_DOTS = ".\u3002\uff0e\uff61"
TAPPABLE = {
    "url with a scheme": re.compile(r"(?i)[a-z][a-z0-9+.-]*://"),
    "tg:, mailto: or tel: link": re.compile(r"(?i)(?<!\w)(?:tg|mailto|tel):(?=\S)"),
    "domain or e-mail": re.compile(rf"\w[{_DOTS}][^\W\d_]"),
    "ip address": re.compile(rf"(?<![\w{_DOTS}])\d{{1,3}}(?:[{_DOTS}]\d{{1,3}}){{3}}(?!\w)"),
    "mention": re.compile(r"(?<![\w])@\w"),
    "e-mail at": re.compile(r"\w@\w"),
    "hashtag": re.compile(r"(?<![\w])#\w"),
    "cashtag": re.compile(r"(?<![\w])\$[A-Za-z]"),
    "bot command": re.compile(r"(?<![\w/])/\w"),
    "phone number": re.compile(r"(?<!\w)\+\d"),
}
FORMS = [
    "https://evil-tracker.kz/upload?t=QX7",
    "http://1.2.3.4:8080/p",
    "www.evil.kz",
    "evil.kz/a",
    "Сайт.рф",
    "evil\u3002kz",
    "ev\u200bil.kz",
    "t.me/officer_private",
    "tg://resolve?domain=officer_private",
    "mailto:boss@mail.kz",
    "boss.name@mail.kz",
    "@officer_private",
    "/start",
    "#взятка",
    "$USD",
    "+7 701 123 45 67",
    '<a href="https://evil.kz/x">тут</a>',
]
QUESTION = "Уточните, пожалуйста: " + " ; ".join(FORMS) + " QUESTION-LINKS"
HIDDEN_URL = "https://hidden-tracker.kz/t?id=42"
WARNING = {
    "ru": "Не открывайте ссылки",
    "kk": "Сілтемелерді ашпаңыз",
}


def tappable(text: str) -> list[str]:
    return [f"{name}: {m.group(0)!r}" for name, rx in TAPPABLE.items() for m in rx.finditer(text)]


@pytest.mark.parametrize("form", FORMS)
def test_each_form_is_tappable_before_and_inert_after(form: str) -> None:
    assert tappable(form), "the detector sees what Telegram would link"
    shown = inert(form)
    assert tappable(shown) == [], shown
    assert "[" in shown, "broken visibly, still readable"


def test_numbers_dates_and_times_stay_as_written() -> None:
    text = "Сумма 200.000 тенге, в 1.5 раза больше, 05.12.2026 в 10:30, кабинет 214."
    assert inert(text) == text


async def ask(live: Live, chat: object, case: str, text: str) -> None:
    """An officer asks, with a text link hidden under the first word of the question."""
    api = live.api
    officer = await live.officer("astana")
    mark = api.mark()
    api.press(officer, data("ask", case), chat=chat)
    prompt = await api.next_reply(chat, after=mark)
    mark = api.mark()
    link = {"type": "text_link", "offset": 0, "length": 8, "url": HIDDEN_URL}
    api.send_text(officer, text, chat=chat, reply_to=prompt, entities=[link])
    await api.next_reply(chat, after=mark)


def assert_inert(api: FakeBotAPI, message: SentMessage, locale: str) -> None:
    shown = message.plain_text or ""
    assert "QUESTION-LINKS" in shown
    assert tappable(shown) == [], tappable(shown)
    assert "<a" not in (message.text or ""), "no text link in the HTML the bot sent"
    assert HIDDEN_URL not in shown and "hidden-tracker" not in shown
    assert not [
        e for e in message.raw.get("entities", []) if e["type"] in ("url", "text_link", "mention")
    ]
    assert WARNING[locale] in shown, "the warning comes with the question"
    request = next(r for r in api.requests if r.message is message)
    assert request.params.get("link_preview_options", {}).get("is_disabled") is True


async def test_a_question_full_of_links_reaches_the_reporter_with_nothing_to_tap(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person("ru")
    await report(person, "astana", contact=True)
    await live.deliver()
    await ask(live, group, case_id_of(cards(fake_api, group)[0]), QUESTION)
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    assert_inert(fake_api, await fake_api.next_reply(person.user, after=mark), "ru")


async def test_a_question_waiting_on_status_is_inert_too_in_kazakh(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person("kk")
    receipt_text = await report(person, "astana", contact=False)
    code = next(line for line in receipt_text.splitlines() if line.count("-") == 3)
    await live.deliver()
    await ask(live, group, case_id_of(cards(fake_api, group)[0]), QUESTION)
    waiting = await person.command(f"/status {code}", expect="QUESTION-LINKS")
    assert_inert(fake_api, waiting, "kk")


PIECES = [*"ab.:/@#$+-_ 19\n[]()?=&", *_DOTS, "\u200b", "\u200d", "\u202e", "255"]
PIECES += ["https", "tg", "t.me", "kz", "рф", "7", "мail", "www"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_nothing_tappable_survives_in_any_text(text: str) -> None:
    assert tappable(inert(text)) == []
