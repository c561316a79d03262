"""What the reporter's phone shows: messages the bot sends unasked (lock-screen safe, silent or
with sound as chosen at consent), the receipt's expectations, /status words and deadlines, and
the false-report warning that leads with good faith. In Kazakh and in Russian."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from babel.dates import format_date

from bot.reports.service import Contact
from tests.fakeapi import FakeBotAPI, FakeChat, RecordedRequest, SentMessage
from tests.support.flows import (
    BODY,
    ask_stats,
    cards,
    case_id_of,
    close,
    data,
    post_question,
    press_in,
    region_name,
    sphere_name,
)
from tests.support.live import Live
from tests.support.people import Person

NEUTRAL = {"kk": "🔔 Adal: сізге жаңа хабар бар", "ru": "🔔 Adal: для вас есть обновление"}
# Nothing on a lock screen may say what the message is about.
GIVEAWAYS = (
    "№",
    "1",
    "сыбайлас",
    "жемқор",
    "коррупц",
    "хабарлама",
    "сообщени",
    "служб",
    "қызмет",
    "іс ",
    "дело",
    "сұрақ",
    "вопрос",
    "report",
    "case",
    "service",
)
CHOICE_ON_REVIEW = {
    ("kk", True): "рұқсат етілген, хабарлар дыбыссыз",
    ("kk", False): "рұқсат етілген, хабарлар дыбыспен",
    ("ru", True): "разрешены, без звука",
    ("ru", False): "разрешены, со звуком",
}
STATUS_WORDS = {
    "kk": {
        "new": "алынды, қызметке жіберілуде",
        "delivered": "қызметке жіберілді, қабылдануын күтуде",
        "accepted": "қарауға қабылданды",
        "closed": "жабылды",
    },
    "ru": {
        "new": "получено, передаётся в службу",
        "delivered": "передано в службу, ожидает принятия",
        "accepted": "принято к рассмотрению",
        "closed": "закрыто",
    },
}
DEADLINE_LABELS = {
    "kk": ("Қабылдау мерзімі:", "Жауап беру мерзімі:"),
    "ru": ("Срок принятия:", "Срок ответа:"),
}
CLOSED_REFUSAL = {
    "kk": "Бұл хабарлама жабылды: оған енді мәлімет қосуға болмайды.",
    "ru": "Это сообщение закрыто: добавить к нему сведения больше нельзя.",
}


async def to_review(person: Person, consent: str) -> SentMessage:
    """A report in Astana to the review, then the questions step again through its ✏️ button,
    where ``consent`` is pressed (do:cyes, do:csound or do:cno)."""
    await person.walk_to_review(BODY, region="astana")
    consent_step = await person.press("ed:contact", button="do:csound")
    offered = {button["callback_data"] for button in consent_step.buttons}
    assert {"do:cyes", "do:csound", "do:cno"} <= offered, "silent, with sound, or no"
    return await person.press(consent, button="do:submit")


async def submit(person: Person, consent: str) -> str:
    await to_review(person, consent)
    receipt = await person.press("do:submit", expect="-")
    return receipt.plain_text or ""


def code_of(receipt_text: str) -> str:
    return next(line for line in receipt_text.splitlines() if line.count("-") == 3)


async def delivered_case(live: Live, person: Person, consent: str) -> tuple[FakeChat, str, str]:
    """Astana's group linked, ``person``'s report delivered: the group, case id, receipt text."""
    group = live.api.make_group(title="Astana officers")
    await live.link("astana", group)
    receipt = await submit(person, consent)
    assert await live.deliver() == 0
    return group, case_id_of(cards(live.api, group)[-1]), receipt


def sent_to(api: FakeBotAPI, person: Person, after: int) -> list[RecordedRequest]:
    return [
        request
        for request in api.calls("sendMessage", after=after)
        if request.ok and request.message is not None and request.message.chat_id == person.user.id
    ]


def shown_in(message: SentMessage) -> str:
    return message.plain_text or ""


def assert_lock_screen_safe(request: RecordedRequest, locale: str) -> None:
    assert request.message is not None
    shown = request.message.plain_text or ""
    first, blank, *details = shown.split("\n")
    assert first == NEUTRAL[locale], shown
    assert not [word for word in GIVEAWAYS if word in first.lower()], first
    assert blank == "" and "№ 1" in "\n".join(details), "the details follow a blank line"


@pytest.mark.parametrize("locale", ["kk", "ru"])
@pytest.mark.parametrize(("consent", "silent"), [("do:cyes", True), ("do:csound", False)])
async def test_every_message_to_the_reporter_opens_with_a_neutral_line_and_rings_as_chosen(
    live: Live, fake_api: FakeBotAPI, locale: str, consent: str, silent: bool
) -> None:
    person = live.person(locale)
    mark = fake_api.mark()
    group, case, _receipt = await delivered_case(live, person, consent)
    officer = await live.officer("astana")

    await press_in(fake_api, officer, group, data("acc", case))
    await post_question(live, officer, group, case, "Уточните время: утром или вечером?")
    await close(fake_api, officer, group, case)
    await live.sender.drain(within=3)

    own_initiative = [
        request for request in sent_to(fake_api, person, mark) if "№ 1" in str(request.params)
    ]
    assert len(own_initiative) == 3, "accepted, a question, closed"
    for request in own_initiative:
        assert_lock_screen_safe(request, locale)
        assert bool(request.params.get("disable_notification")) is silent, request.params
    question = own_initiative[1].message
    assert question is not None and question.buttons[0]["callback_data"].startswith("rp:")


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_reopening_notice_and_an_older_contact_without_a_choice_are_silent_and_neutral(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    person = live.person(locale)
    await delivered_case(live, person, "do:csound")
    # A contact sealed before the choice existed holds the chat id alone; and a case closed
    # while its contact is still kept (closing through the card drops it) is reopened.
    row = await live.services.database.fetchone("SELECT id FROM reports")
    aad = f"reports:{row['id']}:contact"
    older = live.services.cipher.seal_text(str(person.user.id), aad)
    await live.services.database.execute(
        "UPDATE reports SET contact = ?, status = 'closed' WHERE id = ?", (older, row["id"])
    )
    assert Contact.parse(live.services.cipher.open_text(older, aad)).silent

    mark = fake_api.mark()
    fake_api.send_command(live.admin, "/reopen 1")
    await fake_api.next_reply(live.admin, after=mark)
    await live.sender.drain(within=3)

    [notice] = sent_to(fake_api, person, mark)
    assert_lock_screen_safe(notice, locale)
    assert notice.params.get("disable_notification") is True


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_consent_choice_shows_on_the_review_can_be_edited_and_is_sealed(
    live: Live, locale: str
) -> None:
    person = live.person(locale)
    review = await to_review(person, "do:csound")
    assert CHOICE_ON_REVIEW[(locale, False)] in (review.plain_text or "")
    step = await person.press("ed:contact", button="do:csound")
    assert {"do:cyes", "do:csound", "do:cno"} <= {b["callback_data"] for b in step.buttons}
    review = await person.press("do:cyes", button="do:submit")
    assert CHOICE_ON_REVIEW[(locale, True)] in (review.plain_text or "")
    await person.press("do:submit", expect="-")

    row = await live.services.database.fetchone("SELECT id, contact FROM reports")
    sealed = live.services.cipher.open_text(row["contact"], f"reports:{row['id']}:contact")
    assert Contact.parse(sealed) == Contact(person.user.id, silent=True)
    assert str(person.user.id) == sealed, "a silent contact is sealed exactly as before"


RECEIPT = {
    "kk": {
        "copy": "көшіру үшін оны басыңыз",
        "accept": "⏳ Қызмет оны қабылдауы тиіс мерзім: {date}",
        "not yet": "қабылданды",
        "writes": "Бот сізге осында қызмет сұрақ қойғанда немесе мәртебе өзгергенде ғана жазады.",
        "silent": "Бот сізге жазбайды: барысын өзіңіз /status арқылы тексеріңіз.",
    },
    "ru": {
        "copy": "нажмите на него, чтобы скопировать",
        "accept": "⏳ Служба должна принять его до {date}",
        "not yet": "принято",
        "writes": "Бот напишет вам сюда, только если служба задаст вопрос или изменится статус.",
        "silent": "Бот не будет вам писать: проверяйте ход рассмотрения сами через /status.",
    },
}


@pytest.mark.parametrize("locale", ["kk", "ru"])
@pytest.mark.parametrize("consent", ["do:cyes", "do:cno"])
async def test_the_receipt_says_by_when_the_service_must_accept_and_whether_the_bot_writes(
    live: Live, fake_api: FakeBotAPI, locale: str, consent: str
) -> None:
    person = live.person(locale)
    group, _case, receipt = await delivered_case(live, person, consent)
    row = await live.services.database.fetchone("SELECT created_at FROM reports")
    settings = live.services.settings
    due = datetime.fromisoformat(row["created_at"]) + timedelta(days=settings.ack_deadline_days)
    date = format_date(due.astimezone(settings.tz), "long", locale=locale)
    expected = RECEIPT[locale]
    assert expected["copy"] in receipt
    assert expected["not yet"] not in receipt.lower(), "received, not «accepted»"
    assert expected["accept"].format(date=date) in receipt, receipt
    assert "/status" in receipt
    assert (expected["writes"] in receipt) is (consent == "do:cyes")
    assert (expected["silent"] in receipt) is (consent == "do:cno")
    card = cards(fake_api, group)[-1].plain_text or ""
    card_date = format_date(due.astimezone(settings.tz), "long", locale="kk")
    assert card_date in card, "the officers' card shows the same deadline"


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_status_names_region_sphere_and_deadline_and_a_closed_case_takes_no_addition(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    person = live.person(locale)
    words, (to_accept, to_answer) = STATUS_WORDS[locale], DEADLINE_LABELS[locale]
    group = fake_api.make_group(title="Astana officers")
    await live.link("astana", group)
    code = code_of(await submit(person, "do:cno"))
    settings = live.services.settings
    row = await live.services.database.fetchone("SELECT created_at FROM reports")
    created = datetime.fromisoformat(row["created_at"]).astimezone(settings.tz)

    def day(days: int) -> str:
        return format_date(created + timedelta(days=days), "long", locale=locale)

    fresh = await person.command(f"/status {code}", expect="№", button="do:addinfo")
    shown = shown_in(fresh)
    assert region_name("astana", locale) in shown and sphere_name("akimat", locale) in shown
    assert words["new"] in shown and words["accepted"] not in shown
    assert f"{to_accept} {day(settings.ack_deadline_days)}" in shown, shown

    await live.deliver()
    case = case_id_of(cards(fake_api, group)[-1])
    shown = shown_in(await person.command(f"/status {code}", expect="№"))
    assert words["delivered"] in shown and to_accept in shown

    officer = await live.officer("astana")
    await press_in(fake_api, officer, group, data("acc", case))
    stale = await person.command(f"/status {code}", expect="№", button="do:addinfo")
    shown = shown_in(stale)
    assert words["accepted"] in shown
    assert f"{to_answer} {day(settings.answer_deadline_days)}" in shown and to_accept not in shown

    await close(fake_api, officer, group, case)
    closed = await person.command(f"/status {code}", expect="№")
    shown = shown_in(closed)
    assert words["closed"] in shown and to_answer not in shown and to_accept not in shown
    assert closed.buttons == [], "no «Add information» on a closed case"

    # The «Add information» button of the earlier check, pressed after the case was closed.
    refused = await person.press("do:addinfo", expect=CLOSED_REFUSAL[locale])
    assert "/report" in (refused.plain_text or "")
    notes = await live.services.database.fetchone("SELECT count(*) FROM report_notes")
    assert notes[0] == 0


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_text_typed_to_add_after_the_case_was_closed_is_refused_not_kept(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    person = live.person(locale)
    group, case, receipt = await delivered_case(live, person, "do:cno")
    await person.command(f"/status {code_of(receipt)}", expect="№", button="do:addinfo")
    await person.press("do:addinfo", button="do:done")
    officer = await live.officer("astana")
    await close(fake_api, officer, group, case)

    await person.say("Дополнение: номер кабинета 214.", expect=CLOSED_REFUSAL[locale])
    notes = await live.services.database.fetchone("SELECT count(*) FROM report_notes")
    assert notes[0] == 0, "nothing is kept that nobody would read"


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_stats_use_the_same_status_words(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    await submit(live.person(locale), "do:cno")
    admin = fake_api.make_user(id=live.admin.id, first_name="Admin", language_code=locale)
    text, _chart = await ask_stats(fake_api, admin)
    assert f"• {STATUS_WORDS[locale]['new']}: 1" in text, text


GOOD_FAITH = {"kk": "Адал ниетпен жіберілген хабарлама", "ru": "Сообщение, поданное добросовестно"}


@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_the_warning_before_submit_leads_with_good_faith_then_article_419(
    live: Live, locale: str
) -> None:
    review = await to_review(live.person(locale), "do:cno")
    warning = (review.plain_text or "").split("\n\n")[-1]
    assert warning.startswith("🛡 " + GOOD_FAITH[locale]), warning
    assert warning.index(GOOD_FAITH[locale]) < warning.index("419")
    assert "3" in warning and "8" in warning


async def test_two_officers_accepting_at_once_make_one_acceptance_and_one_notice(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person("ru")
    mark = fake_api.mark()
    group, case_id, _receipt = await delivered_case(live, person, "do:cyes")
    first, second = await live.officer("astana"), await live.officer("astana")
    case = await live.services.cases.for_chat(case_id, group.id)
    assert case is not None
    accepted = await asyncio.gather(
        live.services.cases.accept(case, first.id), live.services.cases.accept(case, second.id)
    )
    await live.sender.drain(within=3)
    assert sorted(accepted) == [False, True]
    notices = [r for r in sent_to(fake_api, person, mark) if "№ 1" in str(r.params)]
    assert len(notices) == 1, "one notice of the acceptance"
    history = await live.services.database.fetchone(
        "SELECT count(*) FROM audit WHERE action = 'accepted'"
    )
    assert history[0] == 1
