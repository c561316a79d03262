"""The citizen's dialog, step by step, through Dispatcher.feed_update with a mocked session."""

from __future__ import annotations

import json
import time

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import Chat, Update

from bot.app import Services
from bot.core import receipt
from bot.reports.draft import Draft
from tests.support.dialog import BODY, fill_report, reach_text_step, read_book, receipt_code
from tests.support.harness import Citizen, buttons, snapshot, texts
from tests.support.mocked import BOT_ID
from tests.support.speech import spoken


async def test_full_dialog_ends_with_a_receipt_that_status_finds(citizen: Citizen) -> None:
    review = await fill_report(citizen)
    shown = texts(review)[-1]
    assert "область Абай" in shown and "50 000 тенге" in shown
    assert "419" in shown, "the false-report warning is shown before Submit"
    assert "do:submit" in buttons(review).values()

    submitted = await citizen.press("do:submit")
    code = receipt_code(submitted)
    assert len(code) == 16

    status = await citizen.say(f"/status {receipt.format_code(code)}")
    assert any(("<b>" in text and "2026" in text) or "20" in text for text in texts(status))
    assert "do:addinfo" in buttons(status).values()


async def test_each_step_has_back_and_cancel(citizen: Citizen) -> None:
    steps = [
        await citizen.say("/report"),
        await citizen.press("rg:abai"),
        await citizen.press("sp:police"),
        await citizen.press("wh:today"),
    ]
    steps.append(await citizen.press("do:skip"))
    for step in steps:
        values = buttons(step).values()
        assert "do:back" in values and "do:cancel" in values


async def test_back_returns_to_previous_step_keeping_answers(citizen: Citizen) -> None:
    await citizen.say("/report")
    await citizen.press("rg:abai")
    await citizen.press("sp:police")
    back = await citizen.press("do:back")
    assert "sp:police" in buttons(back).values(), "back from 'when' shows the sphere step"
    await citizen.press("sp:land")
    await citizen.press("wh:today")
    await citizen.press("do:skip")
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.press("do:skip")
    review = await citizen.press("do:cno")
    assert "Земельные отношения" in texts(review)[-1]


async def test_body_needs_twenty_characters_and_accepts_several_messages(citizen: Citizen) -> None:
    await reach_text_step(citizen)
    await citizen.say("Взятка.")
    too_short = await citizen.press("do:done")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in too_short)
    assert "do:skip" not in buttons(too_short).values(), "still on the text step"
    await citizen.say("Начальник отдела требовал деньги за справку.")
    evidence = await citizen.press("do:done")
    assert "do:skip" in buttons(evidence).values(), "evidence step reached"


async def test_text_over_8000_characters_is_refused_and_nothing_is_lost(citizen: Citizen) -> None:
    await reach_text_step(citizen)
    await citizen.say("а" * 4000)
    await citizen.say("б" * 3990)
    refused = await citizen.say("в" * 100)
    assert "8" in texts(refused)[0] and "000" in texts(refused)[0]
    await citizen.press("do:done")
    await citizen.press("do:skip")
    review = await citizen.press("do:cno")
    assert "а" * 100 in texts(review)[-1]


async def test_unexpected_input_gets_a_short_answer_for_the_step(citizen: Citizen) -> None:
    await citizen.say("/report")
    text_on_buttons = await citizen.say("Алматы")
    assert len(texts(text_on_buttons)) >= 1
    assert "rg:abai" in buttons(text_on_buttons).values(), "the step is shown again"
    await citizen.press("rg:abai")
    await citizen.press("sp:police")
    await citizen.press("wh:today")
    sticker = await citizen.sticker()
    assert texts(sticker), "a sticker where text is expected is answered"
    await citizen.press("do:skip")
    await citizen.say(BODY)
    await citizen.press("do:done")
    text_on_files = await citizen.say("вот фото")
    assert "do:txadd" in buttons(text_on_files).values(), "a text is offered to the description"
    kept = await citizen.press("do:txdrop")
    assert "do:skip" in buttons(kept).values(), "still on the evidence step"


async def test_forged_and_stale_buttons_change_nothing(citizen: Citizen) -> None:
    await citizen.say("/report")
    forged = await citizen.press("rg:atlantis")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in forged)
    malformed = await citizen.press("rg")
    assert any(isinstance(r, AnswerCallbackQuery) for r in malformed)
    stale = await citizen.press("sp:police")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in stale)
    still = await citizen.press("rg:abai")
    assert "sp:police" in buttons(still).values(), "the dialog still works after forged data"


async def test_files_over_limits_are_refused(citizen: Citizen, services: Services) -> None:
    await reach_text_step(citizen)
    await citizen.say(BODY)
    await citizen.press("do:done")
    key = StorageKey(bot_id=BOT_ID, chat_id=citizen.chat.id, user_id=citizen.user.id)
    draft = await services.fsm.get_data(key)
    before = await snapshot(services)
    big = await citizen.document(b"%PDF", size=21 * 1024 * 1024)
    assert "20" in texts(big)[0]
    after = await snapshot(services)
    # Only the chat trail (the ids of the messages just exchanged) may change in the FSM table.
    assert {**after, "fsm": []} == {**before, "fsm": []}, "nothing of the 21 MB file is stored"
    assert await services.fsm.get_data(key) == draft

    for _ in range(10):
        await citizen.photo(b"\xff\xd8photo")
    eleventh = await citizen.photo(b"\xff\xd8photo")
    assert "10" in texts(eleventh)[0]
    files = Draft.from_data(await services.fsm.get_data(key)).files
    assert len(files) == 10
    rows = await services.database.fetchall("SELECT id FROM attachments")
    assert sorted(row[0] for row in rows) == sorted(files), "the 11th file is not stored"

    await citizen.press("do:done")
    await citizen.press("do:cno")
    code = receipt_code(await citizen.press("do:submit"))
    report = await services.database.fetchone("SELECT id FROM reports")
    assert await services.reports.lookup(code) is not None
    rows = await services.database.fetchall("SELECT report_id FROM attachments")
    assert [row[0] for row in rows] == [report[0]] * 10


async def test_cancel_discards_the_draft_and_its_files(
    citizen: Citizen, services: Services
) -> None:
    await reach_text_step(citizen)
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.photo(b"\xff\xd8photo")
    row = await services.database.fetchone("SELECT count(*) FROM attachments")
    assert row[0] == 1
    asked = await citizen.say("/cancel")
    assert "do:cxyes" in buttons(asked).values(), "a draft with content is not dropped at once"
    row = await services.database.fetchone("SELECT count(*) FROM attachments")
    assert row[0] == 1
    cancelled = await citizen.press("do:cxyes")
    assert texts(cancelled)
    row = await services.database.fetchone("SELECT count(*) FROM attachments")
    assert row[0] == 0
    again = await citizen.press("do:done")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in again)


async def test_deep_link_preselects_the_region(citizen: Citizen) -> None:
    shown = await citizen.say("/start r_shymkent")
    assert "sp:police" in buttons(shown).values(), "the dialog starts at the sphere step"
    await citizen.press("sp:police")
    await citizen.press("wh:today")
    await citizen.press("do:skip")
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.press("do:skip")
    review = await citizen.press("do:cno")
    assert "Шымкент" in texts(review)[-1]


async def test_unknown_deep_link_region_shows_the_menu(citizen: Citizen) -> None:
    shown = await citizen.say("/start r_narnia")
    assert "do:new" in buttons(shown).values()


async def test_edit_from_review_returns_to_review(citizen: Citizen) -> None:
    await fill_report(citizen)
    edit = await citizen.press("ed:region")
    assert "rg:abai" in buttons(edit).values()
    review = await citizen.press("rg:astana")
    assert "do:submit" in buttons(review).values()
    assert "Астана" in texts(review)[-1]


async def test_double_submit_creates_one_report(citizen: Citizen, services: Services) -> None:
    await fill_report(citizen)
    await citizen.press("do:submit")
    again = await citizen.press("do:submit")
    assert any(isinstance(r, AnswerCallbackQuery) for r in again)
    row = await services.database.fetchone("SELECT count(*) FROM reports")
    assert row[0] == 1


async def test_group_messages_never_start_or_feed_a_report(
    citizen_factory, services: Services
) -> None:
    group = Chat(id=-100123456, type="supergroup", title="Officers")
    member = citizen_factory(chat=group)
    for requests in (
        await member.say("/start"),
        await member.say("/report"),
        await member.say("Взятка в акимате, требуют деньги за участок"),
        await member.press("rg:abai"),
    ):
        assert not [r for r in requests if isinstance(r, SendMessage)]
    row = await services.database.fetchone("SELECT count(*) FROM fsm")
    assert row[0] == 0


async def test_an_update_delivered_again_is_applied_once(citizen: Citizen) -> None:
    """After a crash, Telegram delivers unconfirmed updates again: text must not double."""
    await reach_text_step(citizen)
    await citizen.say(BODY)
    message = citizen._message(text="Повтор: это сообщение пришло дважды.")
    update = Update(update_id=10_000_000, message=message)
    await citizen.dispatcher.feed_update(citizen.bot, update)
    await citizen.dispatcher.feed_update(citizen.bot, update)
    await citizen.press("do:done")
    await citizen.press("do:skip")
    review = texts(await citizen.press("do:cno"))[-1]
    assert review.count("Повтор") == 1


async def test_language_buttons_switch_and_remember_the_language(
    citizen_factory, services: Services
) -> None:
    citizen = citizen_factory(language_code="en")
    first = texts(await citizen.say("/start"))[0]
    assert "сыбайлас" in first, "an unsupported Telegram language gets DEFAULT_LOCALE (kk)"
    switched = texts(await citizen.press("lang:ru"))
    assert any("язык" in text.lower() for text in switched)
    assert "Нажмите /report" in texts(await citizen.say("/help"))[0]
    forged = await citizen.press("lang:en")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in forged)
    assert "Нажмите /report" in texts(await citizen.say("/help"))[0], (
        "a forged language changes nothing"
    )


async def test_telegram_language_is_used_until_the_user_chooses(citizen_factory) -> None:
    kazakh = citizen_factory(user_id=1001, language_code="kk")
    russian = citizen_factory(user_id=1002, language_code="ru")
    assert "сыбайлас" in texts(await kazakh.say("/start"))[0]
    assert "коррупц" in texts(await russian.say("/start"))[0]


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_help_and_privacy_say_what_matters(citizen_factory, language: str) -> None:
    citizen = citizen_factory(language_code=language)
    help_text = await read_book(citizen, await citizen.say("/help"))
    for fact in ("1424", "102", "419", "eOtinish"):
        assert fact in help_text, fact
    privacy = await read_book(citizen, await citizen.press("do:privacy"))
    assert "AES-256-GCM" in privacy and "Telegram" in privacy
    welcome = texts(await citizen.say("/start"))[0]
    assert "102" in welcome and "1424" in welcome and "Telegram" in welcome


async def test_voice_and_video_are_accepted_as_evidence(
    citizen: Citizen, services: Services
) -> None:
    await reach_text_step(citizen)
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.voice(spoken("ru"))
    kinds = await services.database.fetchall("SELECT kind FROM attachments")
    assert [row[0] for row in kinds] == ["voice"]


async def test_unknown_command_and_idle_text_get_guidance(citizen: Citizen) -> None:
    assert "/report" in texts(await citizen.say("/bribe"))[0]
    idle = await citizen.say("привет")
    assert "/status" in texts(idle)[0] and "do:txstart" in buttons(idle).values()


async def test_unknown_command_mid_dialog_is_not_taken_as_text(citizen: Citizen) -> None:
    await reach_text_step(citizen)
    await citizen.say("/whatever")
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.press("do:skip")
    review = texts(await citizen.press("do:cno"))[-1]
    assert "/whatever" not in review


async def test_expired_drafts_and_their_files_are_purged(
    citizen: Citizen, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    await reach_text_step(citizen)
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.photo(b"\xff\xd8photo")
    later = time.time() + 3 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    services.fsm._clock = lambda: later
    await services.maintenance.purge_expired()
    for table in ("fsm", "attachments"):
        assert (await services.database.fetchone(f"SELECT count(*) FROM {table}"))[0] == 0
    expired = await citizen.press("do:done")
    assert any(isinstance(r, AnswerCallbackQuery) and r.text for r in expired)


async def test_a_caption_sent_with_a_file_is_kept_sealed(
    citizen: Citizen, services: Services
) -> None:
    await reach_text_step(citizen)
    await citizen.say(BODY)
    await citizen.press("do:done")
    await citizen.photo(b"\xff\xd8photo", caption="Квитанция, которую выдал инспектор")
    row = await services.database.fetchone("SELECT id, meta FROM attachments")
    assert "Квитанция".encode() not in bytes(row["meta"])
    meta = services.cipher.open(bytes(row["meta"]), f"attachments:{row['id']}:meta")
    assert json.loads(meta)["caption"] == "Квитанция, которую выдал инспектор"
