"""End to end: ``python -m bot`` against the fake Bot API server, over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core import receipt
from tests.e2e.botprocess import START_TIMEOUT, BotProcess
from tests.fakeapi import FakeBotAPI, SentMessage
from tests.support.people import Person

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
    [("kk", BODY_KK, "алынды, қызметке жіберілуде"), ("ru", BODY_RU, "получено, передаётся")],
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


async def test_no_marker_id_name_or_code_in_data_files_or_log(
    fake_api: FakeBotAPI, bot_process: BotProcess
) -> None:
    user = fake_api.make_user(
        first_name="Гүлнар", last_name="Құпиясова", username="gulnar_hidden", language_code="kk"
    )
    person = Person(fake_api, user)
    await walk_to_review(
        person, f"Әкімдік қызметкері пара талап етті. {MARKER} " * 3, place=f"Әкімдік {MARKER}"
    )
    code = code_in(await person.press("do:submit", expect="-"))
    await person.command(f"/status {code}", button="do:addinfo")
    await person.press("do:addinfo", button="do:done")
    await person.say(f"Қосымша мәлімет {MARKER}", button="do:done")
    await bot_process.stop()

    files = [path for path in bot_process.data_dir.rglob("*") if path.is_file()]
    assert {path.suffix for path in files} >= {".sqlite3"}, files
    stored = b"".join(path.read_bytes() for path in files)
    log = bot_process.log()
    assert "Update id=" in log, "the log was captured at DEBUG level"
    for needle in (
        MARKER,
        str(user.id),
        user.first_name,
        user.last_name,
        user.username,
        code,
        receipt.format_code(code),
    ):
        assert needle.encode() not in stored, f"{needle!r} in the data directory"
        assert needle not in log, f"{needle!r} in the log"


async def test_report_survives_sigkill_right_after_the_receipt(
    fake_api: FakeBotAPI, bot_process: BotProcess
) -> None:
    person = Person(fake_api, fake_api.make_user(language_code="ru"))
    await walk_to_review(person, BODY_RU)
    code = code_in(await person.press("do:submit", expect="-"))
    await bot_process.kill()
    await bot_process.start()
    status = await person.command(f"/status {code}", button="do:addinfo")
    assert "получено, передаётся в службу" in (status.plain_text or "")


async def test_dialog_continues_after_sigkill_mid_dialog(
    fake_api: FakeBotAPI, bot_process: BotProcess
) -> None:
    person = Person(fake_api, fake_api.make_user(language_code="kk"))
    await person.command("/report", button="rg:abai")
    await person.press("rg:zhetysu", button="sp:police")
    await person.press("sp:land", button="wh:week")
    await person.press("wh:month", button="do:skip")
    await person.press("do:skip", button="do:back")
    await person.say(BODY_KK, button="do:done")
    await bot_process.kill()
    await bot_process.start()
    await person.press("do:done", button="do:skip")
    await person.press("do:skip", button="do:cno")
    review = await person.press("do:cno", button="do:submit")
    text = review.plain_text or ""
    assert "Жетісу" in text and "50 000" in text
    assert text.count("50 000") == 1, "the redelivered update was applied once"
    code = code_in(await person.press("do:submit", expect="-"))
    await person.command(f"/status {code}", button="do:addinfo")


async def test_a_token_telegram_rejects_stops_the_start_with_one_line(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    fake_api.fail_next("setMyCommands", 401, description="Unauthorized")
    process = BotProcess(fake_api, tmp_path)
    exited = await process.launch()
    assert await asyncio.wait_for(exited.wait(), START_TIMEOUT) == 2
    last = process.log().strip().splitlines()[-1]
    assert last == "adal: configuration error: BOT_TOKEN is invalid: Telegram rejected it"
    assert "Traceback" not in process.log()
