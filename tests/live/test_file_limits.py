"""Storage by size, not only by count (bot/reports/intake.py), and nothing invisible in what
officers read (bot/telegram/sanitize.py). Each test performs the attack and fails if the defence
broke."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.fsm.storage.base import StorageKey
from aiogram.methods import GetFile, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.app import Services
from bot.core import receipt
from bot.core.quota import DailyQuota
from bot.reports.draft import Draft
from bot.reports.intake import MAX_DOWNLOADS, IntakeRefusal
from bot.settings import Settings
from bot.telegram.sanitize import visible_text
from handlers.uploads import intake_refusal_text
from storage.cases import CasesRepository
from tests.fakeapi import FakeBotAPI
from tests.support.db import count, database_bytes
from tests.support.dialog import BODY, receipt_code, submit_report
from tests.support.flows import cards, case_id_of, post_question
from tests.support.harness import Citizen, buttons, texts
from tests.support.live import ADMIN_ID, Live
from tests.support.mocked import BOT_ID, MockedSession, mocked_bot

KB = 1024
HIDDEN = (
    *("\u202a", "\u202c", "\u202e", "\u2066", "\u2067", "\u2069"),
    *("\u200b", "\u200e", "\u200f", "\u061c", "\ufeff"),
)
CYRILLIC = re.compile("[а-яәіңғүұқөһ]", re.IGNORECASE)


class CountingSession(MockedSession):
    """Counts downloads in flight: from getFile until the file's bytes have been read."""

    in_flight = 0
    most = 0

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        if isinstance(method, GetFile):
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            await asyncio.sleep(0.01)
        return await super().make_request(bot, method, timeout)

    async def stream_content(self, url: str, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes]:
        await asyncio.sleep(0.01)
        async for chunk in super().stream_content(url, *args, **kwargs):
            yield chunk
        self.in_flight -= 1


@pytest.fixture
def bot() -> Bot:
    return mocked_bot(CountingSession())


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The usual test settings, with what a test's indirect ``settings`` parameter changes."""
    return settings.model_copy(update=getattr(request, "param", {}))


def refusal_in(services: Services, refusal: IntakeRefusal, locale: str) -> str:
    with services.i18n.context(), services.i18n.use_locale(locale):
        return intake_refusal_text(refusal, services.intake, locale)


def downloads(requests: list[TelegramMethod[Any]]) -> int:
    return sum(isinstance(request, GetFile) for request in requests)


async def adding_to_a_new_report(citizen: Citizen) -> None:
    """A submitted report, opened with /status, ready to take additions."""
    code = await submit_report(citizen)
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")


async def at_the_evidence_step(citizen: Citizen, *body: str) -> None:
    await citizen.say("/report")
    for data in ("rg:abai", "sp:police", "wh:week", "do:skip"):
        await citizen.press(data)
    for part in body or (BODY,):
        await citizen.say(part)
    await citizen.press("do:done")


async def submitted_from_the_evidence_step(citizen: Citizen) -> str:
    await citizen.press("do:done")
    await citizen.press("do:cno")
    return receipt_code(await citizen.press("do:submit"))


# ---------------------------------------------------------------- the same file again


async def test_the_same_file_sent_30_times_through_status_is_stored_once(
    citizen: Citizen, services: Services
) -> None:
    await adding_to_a_new_report(citizen)
    photo = os.urandom(512 * KB)
    files_before = await count(services, "attachments")
    bytes_before = await database_bytes(services)

    sent = [request for _ in range(30) for request in await citizen.photo(photo, file_id="same")]

    assert await count(services, "attachments") == files_before + 1
    assert await database_bytes(services) - bytes_before < 2 * len(photo)
    assert downloads(sent) == 1, "a file already attached is not even asked for"
    assert texts(sent).count(refusal_in(services, IntakeRefusal.DUPLICATE, "ru")) == 29


async def test_a_file_of_the_draft_is_known_to_its_report_and_to_no_other(
    citizen: Citizen, services: Services
) -> None:
    photo = b"\xff\xd8the-same-evidence" * 100
    await at_the_evidence_step(citizen)
    await citizen.photo(photo, file_id="evidence")
    again_in_the_draft = await citizen.photo(photo, file_id="evidence")
    code = await submitted_from_the_evidence_step(citizen)
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")
    again_in_the_report = await citizen.photo(photo, file_id="evidence")
    report = await services.database.fetchone("SELECT id FROM reports")
    case = await CasesRepository(services.database).get(report[0])
    assert case is not None
    await services.cases.ask(case, ADMIN_ID, "Пришлите, пожалуйста, фото ещё раз.")
    question = await citizen.say(f"/status {code}")
    await citizen.press(buttons(question)["✍️ Ответить"])
    again_as_an_answer = await citizen.photo(photo, file_id="evidence")
    duplicate = refusal_in(services, IntakeRefusal.DUPLICATE, "ru")
    for again in (again_in_the_draft, again_in_the_report, again_as_an_answer):
        assert texts(again)[-1] == duplicate
        assert downloads(again) == 0

    await adding_to_a_new_report(citizen)
    in_another_report = await citizen.photo(photo, file_id="evidence")
    assert downloads(in_another_report) == 1, "another report takes the same file"
    rows = await services.database.fetchall(
        "SELECT report_id, file_key FROM attachments ORDER BY created_at"
    )
    assert len({row[0] for row in rows}) == 2 and len(rows) == 3
    keys = [row[1] for row in rows]
    assert len(set(keys)) == 3, "the same file has unrelated keys in two reports"
    assert all(b"evidence" not in key for key in keys)


# ---------------------------------------------------------------- bytes per report and per day


@pytest.mark.parametrize("settings", [{"max_report_file_mb": 1}], indirect=True)
@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_report_takes_files_up_to_its_byte_cap(
    citizen_factory: Callable[..., Citizen], services: Services, locale: str
) -> None:
    citizen = citizen_factory(language_code=locale)
    await adding_to_a_new_report(citizen)
    part = os.urandom(600 * KB)
    await citizen.photo(part)
    stored = await count(services, "attachments")

    declared = await citizen.photo(part)
    lying = await citizen.photo(part, size=1)

    assert await count(services, "attachments") == stored
    assert downloads(declared) == 0, "a declared size over the cap is refused before download"
    assert downloads(lying) == 1, "a size that lies is caught after download"
    refused = refusal_in(services, IntakeRefusal.REPORT_FULL, locale)
    assert texts(declared)[-1] == refused == texts(lying)[-1]
    assert CYRILLIC.search(refused) and "1" in refused


@pytest.mark.parametrize("settings", [{"file_mb_per_day": 1}], indirect=True)
@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_a_person_sends_files_up_to_a_daily_byte_cap(
    citizen_factory: Callable[..., Citizen], services: Services, locale: str
) -> None:
    citizen = citizen_factory(language_code=locale)
    part = os.urandom(600 * KB)
    await at_the_evidence_step(citizen)
    await citizen.photo(part)
    refused_in_the_draft = await citizen.photo(part)
    code = await submitted_from_the_evidence_step(citizen)
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")
    refused_later = await citizen.photo(part)
    stored = await count(services, "attachments")

    refused = refusal_in(services, IntakeRefusal.DAY_FULL, locale)
    assert texts(refused_in_the_draft)[-1] == refused == texts(refused_later)[-1]
    assert downloads(refused_in_the_draft + refused_later) == 0
    assert CYRILLIC.search(refused)
    assert stored == 1

    other = citizen_factory(user_id=777000222, language_code=locale)
    await adding_to_a_new_report(other)
    await other.photo(part)
    assert await count(services, "attachments") == stored + 2, "each person has a day of their own"


# ---------------------------------------------------------------- the disk


@pytest.mark.parametrize(
    "settings",
    [{"min_free_disk_mb": 10**9, "admin_ids": frozenset({ADMIN_ID})}],
    indirect=True,
)
@pytest.mark.parametrize("locale", ["kk", "ru"])
async def test_below_the_disk_watermark_files_wait_texts_pass_and_admins_hear_once(
    citizen_factory: Callable[..., Citizen], services: Services, locale: str
) -> None:
    citizen = citizen_factory(language_code=locale)
    await at_the_evidence_step(citizen)
    refused = await citizen.photo(b"\xff\xd8in-the-dialog")
    code = await submitted_from_the_evidence_step(citizen)
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")
    for _ in range(3):
        refused += await citizen.photo(os.urandom(64 * KB))
    added = await citizen.say("Дополнение: инспектор был в форме, номер нагрудного знака 0412.")

    disk_low = refusal_in(services, IntakeRefusal.DISK_LOW, locale)
    assert texts(refused).count(disk_low) == 4 and CYRILLIC.search(disk_low)
    assert downloads(refused) == 0
    assert await count(services, "attachments") == 0
    assert await count(services, "report_notes") == 1 and "do:done" in str(added)
    alerts = await services.database.fetchall("SELECT chat_key FROM outbox WHERE kind = 'alert'")
    assert [row[0] for row in alerts] == [services.chats.key(ADMIN_ID)], "one alert, not one a file"


async def full_disk(services: Services) -> None:
    """SQLite may not grow the database any more: SQLITE_FULL, as on a full disk."""
    await services.database.execute("VACUUM")
    pages = (await services.database.fetchone("PRAGMA page_count"))[0]
    await services.database.execute(f"PRAGMA max_page_count = {pages}")


async def nothing_half_written(services: Services, shown: list[str]) -> None:
    assert await count(services, "reports") == 0
    assert await count(services, "report_events") == 0
    draft_files = await services.database.fetchone(
        "SELECT count(*) FROM attachments WHERE report_id IS NULL AND draft_id IS NOT NULL"
    )
    assert draft_files[0] == 1, "the draft keeps its file"
    assert not [text for text in shown if "<code>" in text], "no receipt without a report"


@pytest.mark.sqlite_only  # fills the disk with SQLite's page limit
async def test_a_full_disk_at_submit_keeps_the_draft_and_writes_nothing_half(
    citizen: Citizen, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    await at_the_evidence_step(citizen, BODY * 35, BODY * 35)
    await citizen.photo(b"\xff\xd8evidence" * 1000)
    await citizen.press("do:done")
    await citizen.press("do:cno")
    key = StorageKey(bot_id=BOT_ID, chat_id=citizen.user.id, user_id=citizen.user.id)

    await full_disk(services)
    await nothing_half_written(services, texts(await citizen.press("do:submit")))

    # A press that got as far as the submission left its code in the draft; the submission's
    # own transaction then meets the full disk.
    draft = Draft.from_data(await services.fsm.get_data(key))
    draft.receipt = receipt.generate()
    await services.database.execute("PRAGMA max_page_count = 1073741823")
    await services.fsm.set_data(key, draft.to_data())
    await full_disk(services)
    caplog.clear()
    await nothing_half_written(services, texts(await citizen.press("do:submit")))
    assert "storage/reports.py" in caplog.text and "in submit" in caplog.text

    await services.database.execute("PRAGMA max_page_count = 1073741823")
    code = receipt_code(await citizen.press("do:submit"))
    assert code == draft.receipt, "the draft, its code included, was kept"
    files = await services.database.fetchone(
        "SELECT count(*) FROM attachments WHERE report_id IS NOT NULL AND draft_id IS NULL"
    )
    assert await count(services, "reports") == 1 and files[0] == 1


# ---------------------------------------------------------------- downloads at once


async def test_concurrent_downloads_never_exceed_the_bound(
    citizen_factory: Callable[..., Citizen], services: Services, bot: Bot
) -> None:
    citizens = [citizen_factory(user_id=777001000 + n) for n in range(3 * MAX_DOWNLOADS)]
    for citizen in citizens:
        await at_the_evidence_step(citizen)

    await asyncio.gather(*(citizen.photo(os.urandom(32 * KB)) for citizen in citizens))

    session: CountingSession = bot.session  # type: ignore[assignment]
    assert session.most == MAX_DOWNLOADS, "as many at once as allowed, never more"
    assert await count(services, "attachments") == len(citizens), "the others waited their turn"


# ---------------------------------------------------------------- invisible controls


async def test_invisible_controls_never_reach_officers_nor_the_export(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    start = fake_api.mark()
    person = live.person()
    await person.command("/report", button="rg:astana")
    await person.press("rg:astana", button="sp:akimat")
    await person.press("sp:akimat", button="wh:week")
    await person.press("wh:week", button="do:skip")
    await person.say("Акимат, кабинет\u202e 412\u202c, Akt_proverki\u202efdp.exe", button="do:back")
    body = f"{BODY} \u2066BODY-LRI\u2069 сумма\u200b 50\u200e000\ufeff"
    await person.say(body, button="do:done")
    await person.press("do:done", button="do:skip")
    mark = fake_api.mark()
    fake_api.send_photo(person.user, b"\xff\xd8photo", caption="Чек\u202efdp.exe \u061cCAPTION")
    await fake_api.next_reply(person.user, after=mark)
    await person.press("do:done", button="do:cyes")
    await person.press("do:cyes", button="do:submit")
    await person.press("do:submit", expect="-")
    await live.deliver()
    case = case_id_of(cards(fake_api, group)[0])
    officer = await live.officer("astana", first_name="Officer")
    await post_question(live, officer, group, case, "Какой кабинет?")
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    question = await fake_api.next_reply(person.user, after=mark)
    await person.press(question.buttons[0]["callback_data"], button="do:done")
    await person.say("Кабинет\u202e 214 \u2067ANSWER\u2069\u200f", button="do:done")
    await live.sender.drain(within=3)

    to_officers = [
        str(request.params.get(field))
        for request in fake_api.requests[start:]
        if str(request.params.get("chat_id")) == str(group.id)
        for field in ("text", "caption")
        if request.params.get(field)
    ]
    shown = "\n".join(to_officers)
    for visible in ("Akt_proverkifdp.exe", "BODY-LRI", "сумма 50000", "Чекfdp.exe", "214 ANSWER"):
        assert visible in shown
    exported = b"".join(
        part.data for part in await live.services.stats.export_csv(None, "ru", ADMIN_ID)
    ).decode("utf-8-sig")
    assert "Akt_proverkifdp.exe" in exported and "сумма 50000" in exported
    for char in HIDDEN:
        assert char not in shown and char not in exported, f"U+{ord(char):04X} reached officers"


# ---------------------------------------------------------------- the pieces


async def test_daily_byte_counts_are_bounded_and_the_least_recently_active_go_first() -> None:
    now = datetime(2026, 3, 16, 12, tzinfo=UTC)
    quota = DailyQuota(10 * KB, UTC, lambda: now, max_users=2)
    await quota.spend(b"a", 10 * KB)
    await quota.spend(b"b", 10 * KB)
    assert not await quota.allows(b"a", 1) and not await quota.allows(b"b", 1)
    await quota.spend(b"a", 0)
    await quota.spend(b"c", 1)
    assert await quota.allows(b"b", 1), "b, the least recently active, was forgotten"
    assert not await quota.allows(b"a", 1)
    now += timedelta(days=1)
    assert await quota.allows(b"a", 10 * KB), "a new day"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("Akt_proverki\u202efdp.exe", "Akt_proverkifdp.exe"),
        ("a\u202ab\u202bc\u202dd\u2066e\u2067f\u2068g\u2069h\u200ei\u200fj\u061ck", "abcdefghijk"),
        ("ну\u200bль\u200c\u2060\ufeff\u00ad", "нуль"),
        ("tag\U000e0041\U000e0042s", "tags"),
        ("\x00\x07\x1b[31mred\x7f\x85\x9b", "[31mred"),
        ("Қазақ тілі, русский\n\tтекст 👍🏽", "Қазақ тілі, русский\n\tтекст 👍🏽"),
        ("👨\u200d👩\u200d👧 семья", "👨\u200d👩\u200d👧 семья"),
        ("и\u200dк", "ик"),
        ("a\r\nb\rc\u2028d\u2029e", "a\nb\nc\nd\n\ne"),
    ],
)
def test_visible_text_drops_what_hides_or_reorders_and_keeps_the_rest(
    sent: str, shown: str
) -> None:
    assert visible_text(sent) == shown
