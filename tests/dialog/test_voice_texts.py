"""What the reporter is told about voice masking, before and after a voice is sent, and why a
round video is refused: in Kazakh and Russian, as the catalogs say it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from aiogram.methods import GetFile, TelegramMethod

from bot.app import Services
from bot.cleaning.sandbox import Refusal
from bot.reports.views import metadata_warning, voice_in_a_line
from bot.settings import Settings
from bot.ui.callbacks import AnswerCB
from bot.ui.texts import round_video_refused, voice_changed, voice_masking
from handlers.status.shared import added_text, answered_text
from handlers.uploads import refusal_text
from tests.support.dialog import BODY, reach_text_step, read_book, submit_report
from tests.support.harness import Citizen, buttons, texts
from tests.support.media import video_with_metadata
from tests.support.speech import spoken, voice_note

LANGUAGES = pytest.mark.parametrize("language", ["kk", "ru"])
KAZAKH_LETTERS = set("әғқңөұүһі")
VOICE_MINUTES = 1
"""The longest recording masked in these tests: a refused one stays short to build."""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_voice_minutes": VOICE_MINUTES})


@contextmanager
def speaking(services: Services, language: str) -> Iterator[None]:
    with services.i18n.context(), services.i18n.use_locale(language):
        yield


def said(services: Services, language: str, text: Callable[[], str]) -> str:
    """``text`` as the catalog of ``language`` has it, shown to be that language's own."""
    with speaking(services, language):
        shown = text()
    cyrillic = any("а" <= letter <= "я" for letter in shown.lower())
    assert cyrillic and bool(KAZAKH_LETTERS & set(shown)) == (language == "kk"), shown
    return shown


async def at_evidence_step(citizen: Citizen) -> list[TelegramMethod[Any]]:
    await reach_text_step(citizen)
    await citizen.say(BODY)
    return await citizen.press("do:done")


async def attachments(services: Services) -> list[tuple[str, dict[str, Any]]]:
    """Each stored file's kind and opened meta."""
    rows = await services.database.fetchall("SELECT id, kind, meta FROM attachments")
    return [
        (kind, json.loads(services.cipher.open(meta, f"attachments:{row_id}:meta")))
        for row_id, kind, meta in rows
    ]


def fetched(requests: list[TelegramMethod[Any]]) -> list[GetFile]:
    return [request for request in requests if isinstance(request, GetFile)]


async def ask(services: Services, question: str = "q1") -> None:
    """An officer's question waiting on the one report stored."""
    [(report_id,)] = await services.database.fetchall("SELECT id FROM reports")
    body = services.cipher.seal_text("Пришлите запись разговора", f"questions:{question}:body")
    await services.database.execute(
        "INSERT INTO questions (id, report_id, body, asked_at) VALUES (?, ?, ?, '2026-12-01')",
        (question, report_id, body),
    )


# ---------------------------------------------------------------- before a voice is sent


@LANGUAGES
async def test_the_evidence_step_and_privacy_say_what_masking_hides_and_what_not(
    citizen_factory: Callable[..., Citizen], services: Services, language: str
) -> None:
    citizen = citizen_factory(language_code=language)
    masking = said(services, language, voice_masking)

    step = texts(await at_evidence_step(citizen))[-1]
    assert said(services, language, voice_in_a_line) in step, "told before any tap"
    details = texts(await citizen.press("do:filesinfo"))[-1]
    assert said(services, language, metadata_warning) in details
    assert details.count(masking) == 1, "the explanation once, not once per paragraph"

    privacy = await read_book(citizen, await citizen.say("/privacy"))
    assert masking in privacy


@LANGUAGES
async def test_the_prompts_to_add_and_to_answer_say_what_masking_hides(
    citizen_factory: Callable[..., Citizen], services: Services, language: str
) -> None:
    citizen = citizen_factory(language_code=language)
    masking = said(services, language, voice_masking)
    code = await submit_report(citizen)
    await ask(services)
    await citizen.say(f"/status {code}")

    assert masking in texts(await citizen.press("do:addinfo"))[-1]
    assert masking in texts(await citizen.press(AnswerCB(question="q1").pack()))[-1]


# ---------------------------------------------------------------- after a voice is stored


async def test_a_voice_note_at_the_evidence_step_is_confirmed_as_changed(
    citizen_factory: Callable[..., Citizen], services: Services
) -> None:
    citizen = citizen_factory(language_code="kk")
    await at_evidence_step(citizen)

    [reply] = texts(await citizen.voice(spoken("kk")))

    assert reply.startswith(said(services, "kk", voice_changed))
    assert [(kind, meta["masked"]) for kind, meta in await attachments(services)] == [
        ("voice", True)
    ]
    assert "do:cyes" in buttons(await citizen.press("do:done")).values(), "on to the next step"


async def test_a_voice_added_or_given_as_an_answer_is_confirmed_as_changed(
    citizen: Citizen, services: Services
) -> None:
    code = await submit_report(citizen)
    await ask(services)
    changed = said(services, "ru", voice_changed)
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")

    [added] = texts(await citizen.voice(spoken("ru")))
    await citizen.press(AnswerCB(question="q1").pack())
    [answered] = texts(await citizen.voice(spoken("ru")))

    assert added.startswith(changed) and answered.startswith(changed)
    voices = [meta["masked"] for kind, meta in await attachments(services) if kind == "voice"]
    assert voices == [True, True]
    [(answered_at,)] = await services.database.fetchall("SELECT answered_at FROM questions")
    assert answered_at is not None


@LANGUAGES
async def test_a_recording_over_the_limit_is_refused_naming_the_limit(
    citizen_factory: Callable[..., Citizen], services: Services, language: str
) -> None:
    citizen = citizen_factory(language_code=language)
    await at_evidence_step(citizen)
    rate = 8_000
    longer = voice_note(np.zeros((VOICE_MINUTES * 60 + 2) * rate, dtype=np.float32), rate)

    [reply] = texts(await citizen.voice(longer))

    with speaking(services, language):
        assert reply == refusal_text(Refusal.TOO_LONG, VOICE_MINUTES, language)
    unit = "минут" if language == "kk" else "мин."
    assert f"{VOICE_MINUTES} {unit}" in reply
    assert await attachments(services) == []


@LANGUAGES
async def test_a_recording_that_cannot_be_read_is_refused_and_nothing_kept(
    citizen_factory: Callable[..., Citizen], services: Services, language: str
) -> None:
    citizen = citizen_factory(language_code=language)
    await at_evidence_step(citizen)
    cut = spoken(language)[:-200]

    [reply] = texts(await citizen.voice(cut))

    with speaking(services, language):
        assert reply == refusal_text(Refusal.UNMASKABLE, VOICE_MINUTES, language)
    assert await attachments(services) == []


# ---------------------------------------------------------------- round videos


@LANGUAGES
async def test_a_round_video_at_the_evidence_step_is_refused_unread_and_the_dialog_goes_on(
    citizen_factory: Callable[..., Citizen], services: Services, language: str
) -> None:
    citizen = citizen_factory(language_code=language)
    await at_evidence_step(citizen)

    requests = await citizen.video_note(video_with_metadata())

    [reply] = texts(requests)
    assert reply.startswith(said(services, language, round_video_refused))
    assert fetched(requests) == [], "not even asked for"
    assert await attachments(services) == []
    assert "do:skip" in buttons(requests).values()
    assert "do:cyes" in buttons(await citizen.press("do:skip")).values(), "on to the next step"


async def test_a_round_video_as_an_addition_or_an_answer_is_refused_unread(
    citizen: Citizen, services: Services
) -> None:
    code = await submit_report(citizen)
    await ask(services)
    refused = said(services, "ru", round_video_refused)
    stored = await attachments(services)
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")

    addition = await citizen.video_note(video_with_metadata())
    after_addition = await citizen.say("Добавляю: это было в понедельник.")
    await citizen.press(AnswerCB(question="q1").pack())
    answer = await citizen.video_note(video_with_metadata())
    [(unanswered,)] = await services.database.fetchall("SELECT answered_at FROM questions")
    after_answer = await citizen.say("Запись разговора пришлю позже.")

    assert texts(addition) == [refused] and texts(answer) == [refused]
    assert fetched(addition + answer) == []
    assert await attachments(services) == stored
    assert unanswered is None, "a round video answers nothing"
    with speaking(services, "ru"):
        assert texts(after_addition) == [added_text()]
        assert texts(after_answer) == [answered_text()]
    [(answered_at,)] = await services.database.fetchall("SELECT answered_at FROM questions")
    assert answered_at is not None
