"""Well-formed buttons pressed where they do not belong: each gets an answer in the user's
language and changes nothing in the database.

Unlike the forgeries of tests/live/test_fuzz.py, every callback here is one the bot really shows: a
step's button on another step or with no draft, a case's button in a chat that does not serve
its region, in a citizen's chat or after the case was closed, a broadcast's controls pressed by
someone who is not an admin, a language chosen on an old message while a report is written.
"""

from __future__ import annotations

import time

from aiogram.fsm.storage.base import StorageKey

from bot.app import finish_updates
from bot.broadcasts.content import Content, Version
from bot.broadcasts.service import Request
from bot.ui.callbacks import Control, ControlCB
from storage.broadcasts import BroadcastsRepository, BroadcastStatus
from storage.subscribers import Audience
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support.flows import (
    BODY,
    cards,
    case_buttons,
    case_id_of,
    close,
    post_question,
    refused,
    report,
)
from tests.support.harness import snapshot
from tests.support.live import ADMIN_ID, Live, said
from tests.support.mocked import BOT_ID
from tests.support.people import Person

STALE = "This button is no longer active."
ELSEWHERE = "This case is closed or handled in another chat."
QUESTION_CLOSED = "This question is closed or already answered."
LANGUAGE_CHANGED = "Language changed: the bot now speaks to you in this language."
#: Buttons of the report dialog's steps, which mean nothing without a draft.
DIALOG_BUTTONS = (
    "rg:abai",
    "sp:akimat",
    "wh:week",
    "do:skip",
    "do:done",
    "do:retext",
    "do:clrfiles",
    "do:cyes",
    "do:cno",
    "do:submit",
    "do:back",
    "ed:region",
    "ed:text",
)
#: Shown at the region, sphere, text, evidence, contact and review steps, pressed at «when».
OTHER_STEPS = (
    "rg:astana",
    "sp:police",
    "do:skip",
    "do:done",
    "do:retext",
    "do:clrfiles",
    "do:cyes",
    "do:cno",
    "do:submit",
    "ed:region",
    "ed:contact",
)


def shows_submit(message: SentMessage) -> bool:
    return any(button.get("callback_data") == "do:submit" for button in message.buttons)


async def delivered_case(live: Live, reporter: Person) -> tuple[str, FakeChat, FakeChat]:
    """Astana's and Abai's departments linked, a case of Astana delivered there: its id."""
    astana = live.api.make_group(title="Astana officers")
    abai = live.api.make_group(title="Abai officers")
    await live.link("astana", astana)
    await live.link("abai", abai)
    await report(reporter, "astana", contact=True)
    assert await live.deliver() == 0
    return case_id_of(cards(live.api, astana)[0]), astana, abai


async def ask(
    live: Live, officer: FakeUser, chat: FakeChat, case: str, reporter: FakeUser
) -> SentMessage:
    """An officer asks the reporter a question; the question as the reporter received it."""
    await post_question(live, officer, chat, case, "В каком кабинете это было?")
    mark = live.api.mark()
    await live.sender.drain(within=3)
    return await live.api.next_reply(reporter, after=mark)


# ---------------------------------------------------------------- the report dialog


async def test_dialog_buttons_without_a_draft_change_nothing(live: Live) -> None:
    newcomer = live.person("kk")
    menu = await newcomer.command("/start", button="do:new")
    await refused(live, newcomer.user, DIALOG_BUTTONS, menu, "kk", STALE)

    reporter = live.person("ru")
    await reporter.walk_to_review(BODY)
    review = next(m for m in reversed(live.api.messages_in(reporter.user)) if shows_submit(m))
    await reporter.press("do:submit", expect="-")
    await refused(live, reporter.user, DIALOG_BUTTONS, review, "ru", STALE)


async def test_buttons_of_other_steps_keep_the_draft_where_it_was(live: Live) -> None:
    person = live.person("kk")
    await person.command("/report", button="rg:abai")
    await person.press("rg:abai", button="sp:akimat")
    when = await person.press("sp:akimat", button="wh:week")
    await refused(live, person.user, OTHER_STEPS, when, "kk", STALE)
    await person.press("wh:week", button="do:skip")


async def test_a_language_chosen_on_an_old_message_keeps_the_draft(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person("ru")
    await person.command("/report", button="rg:abai")
    choice = await person.command("/language", button="lang:kk")
    await person.press("rg:abai", button="sp:akimat")
    await person.press("sp:akimat", button="wh:week")
    user = person.user.id
    key = StorageKey(bot_id=BOT_ID, chat_id=user, user_id=user)
    draft = (await live.services.fsm.get_state(key), await live.services.fsm.get_data(key))
    before = await snapshot(live.services)

    mark = fake_api.mark()
    fake_api.press(person.user, "lang:kk", choice)
    changed = await fake_api.next_reply(person.user, after=mark)
    await finish_updates(live.dispatcher)
    assert changed.plain_text == said(live, "kk", LANGUAGE_CHANGED)
    after = await snapshot(live.services)
    prefs = await live.services.repositories.prefs.get_locale(
        live.services.pseudonyms.digest("user", user)
    )
    assert prefs == "kk"
    for table in set(before) - {"user_prefs", "fsm"}:
        assert after[table] == before[table], table
    assert (await live.services.fsm.get_state(key), await live.services.fsm.get_data(key)) == draft
    await person.press("wh:week", button="do:skip")


# ---------------------------------------------------------------- officers' buttons


async def test_case_buttons_from_the_department_of_another_region_change_nothing(
    live: Live, fake_api: FakeBotAPI
) -> None:
    case, _astana, abai = await delivered_case(live, live.person())
    officer = fake_api.make_user(first_name="Abai officer", language_code="kk")
    under = fake_api.messages_in(abai)[-1]
    await refused(live, officer, case_buttons(case), under, "kk", ELSEWHERE)


async def test_case_buttons_in_a_citizens_private_chat_change_nothing(live: Live) -> None:
    case, _astana, _abai = await delivered_case(live, live.person())
    citizen = live.person("ru")
    menu = await citizen.command("/start", button="do:new")
    await refused(live, citizen.user, case_buttons(case), menu, "ru", ELSEWHERE)


async def test_buttons_of_a_closed_case_change_nothing(live: Live, fake_api: FakeBotAPI) -> None:
    reporter = live.person("ru")
    case, astana, _abai = await delivered_case(live, reporter)
    officer = await live.officer("astana", "officer", "kk", first_name="Astana officer")
    question = await ask(live, officer, astana, case, reporter.user)
    await close(fake_api, officer, astana, case)
    await live.sender.drain(within=3)
    card = cards(fake_api, astana)[0]
    await refused(live, officer, case_buttons(case), card, "kk", ELSEWHERE)
    answer_button = question.buttons[0]["callback_data"]
    await refused(live, reporter.user, [answer_button], question, "ru", QUESTION_CLOSED)


# ---------------------------------------------------------------- broadcasts


async def test_broadcast_controls_pressed_by_a_non_admin_change_nothing(
    live: Live, fake_api: FakeBotAPI
) -> None:
    """Each broadcast is in a state where its button acts when an admin presses it."""
    service = live.services.broadcasts
    tomorrow = time.time() + 24 * 3600
    request = Request(
        Content({"ru": Version("wrong-context-news")}),
        Audience(),
        ADMIN_ID,
        ADMIN_ID,
        "ru",
        tomorrow,
    )
    scheduled, sending, paused = [await service.create(request) for _ in range(3)]
    repository = BroadcastsRepository(live.services.database)
    for broadcast, status in ((sending, BroadcastStatus.SENDING), (paused, BroadcastStatus.PAUSED)):
        assert await repository.transition(broadcast, status, (BroadcastStatus.SCHEDULED,))
    acts: dict[int, tuple[Control, BroadcastStatus]] = {
        scheduled: (Control.CANCEL, BroadcastStatus.CANCELLED),
        sending: (Control.PAUSE, BroadcastStatus.PAUSED),
        paused: (Control.RESUME, BroadcastStatus.SENDING),
    }
    controls = {
        broadcast: ControlCB(action=action, broadcast=broadcast).pack()
        for broadcast, (action, _status) in acts.items()
    }

    stranger = live.person("kk")
    menu = await stranger.command("/start", button="do:new")
    await refused(live, stranger.user, list(controls.values()), menu, "kk", STALE)

    admin = Person(fake_api, live.admin)
    listing = await admin.command("/broadcasts", expect="№")
    for broadcast, callback in controls.items():
        answered = await fake_api.answer_to(fake_api.press_forged(live.admin, callback, listing))
        await finish_updates(live.dispatcher)
        assert answered.get("text") is None, callback
        row = await service.get(broadcast)
        assert row is not None and row.status is acts[broadcast][1], "an admin's press acts"
