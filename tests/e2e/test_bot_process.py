"""End to end: ``python -m bot`` against the fake Bot API server, over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import receipt
from tests.e2e.botprocess import BotProcess, Person
from tests.fakeapi import FakeBotAPI, SentMessage

BODY_KK = "Жол полициясының инспекторы құжаттарды тексермеу үшін 50 000 теңге талап етті."
BODY_RU = "Инспектор дорожной полиции потребовал 50 000 тенге, чтобы не проверять документы."
MARKER = "QQZ-E2E-MARKER-4410"
JPEG = b"\xff\xd8\xff\xe0" + b"jpeg-bytes" * 100
PDF = b"%PDF-1.4\n" + b"pdf-bytes" * 100


@pytest.fixture
async def bot_process(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(fake_api, tmp_path)
    await process.start()
    yield process
    await process.stop()
    assert fake_api.calls("forwardMessage") == [], "a reporter's message was forwarded"


def code_in(message: SentMessage) -> str:
    for line in (message.plain_text or "").splitlines():
        code = receipt.parse(line)
        if code:
            return code
    raise AssertionError(f"no receipt code in {message.plain_text!r}")


async def walk_to_review(person: Person, body: str, *, place: str = "Пост ДПС") -> SentMessage:
    await person.command("/start", button="do:new")
    await person.press("do:new", button="rg:abai")
    await person.press("rg:abai", button="sp:police")
    await person.press("sp:police", button="wh:week")
    await person.press("wh:week", button="do:skip")
    await person.say(place, button="do:back")
    await person.say(body, button="do:done")
    await person.press("do:done", button="do:skip")
    await person.photo(JPEG)
    await person.document(PDF, "scan.pdf")
    await person.press("do:done", button="do:cyes")
    return await person.press("do:cyes", button="do:submit")


@pytest.mark.parametrize(
    ("language", "body", "status_word"),
    [("kk", BODY_KK, "қабылданды"), ("ru", BODY_RU, "принято")],
    ids=["kk", "ru"],
)
async def test_full_dialog_with_photo_and_document(
    fake_api: FakeBotAPI, bot_process: BotProcess, language: str, body: str, status_word: str
) -> None:
    person = Person(fake_api, fake_api.make_user(language_code=language))
    review = await walk_to_review(person, body)
    assert "50 000" in (review.plain_text or "")
    assert "419" in (review.plain_text or "")
    receipt_message = await person.press("do:submit", expect="-")
    code = code_in(receipt_message)

    downloads = [r for r in fake_api.requests if r.method == "getFile"]
    assert len(downloads) == 2, "both files fetched through getFile and the file URL"

    status = await person.command(f"/status {receipt.format_code(code)}", button="do:addinfo")
    assert status_word in (status.plain_text or "")
    assert {language for _, language in fake_api.commands} >= {"kk", "ru", ""}
    assert {"kk", "ru", ""} <= set(fake_api.descriptions)
