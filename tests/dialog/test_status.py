"""/status by receipt code, adding information, and the brake on guessing codes."""

from __future__ import annotations

from aiogram.methods import SendMessage
from aiogram.types import Update

from bot.app import Services
from bot.core import receipt
from bot.reports.service import MAX_STORED_ITEMS
from bot.security.guard import ReceiptGuard
from storage.attempts import AttemptsRepository
from tests.support.dialog import BODY, submit_report
from tests.support.harness import Citizen, buttons, texts


async def test_status_shows_status_and_history(citizen: Citizen) -> None:
    code = await submit_report(citizen)
    await citizen.say("/status")
    shown = texts(await citizen.say(receipt.format_code(code).lower()))[-1]
    assert "получено, передаётся в службу" in shown, "a fresh report is not «accepted»"
    assert "принято" not in shown.lower()
    assert "2026" in shown or "20" in shown


async def test_wrong_codes_are_slowed_down_then_refused(citizen: Citizen) -> None:
    await submit_report(citizen)
    answers = []
    for _ in range(5):
        answers.append(texts(await citizen.say("/status AAAA-BBBB-CCCC-DDDD"))[-1])
    assert answers[0] == answers[1] == answers[2], "the first tries are answered the same"
    assert answers[3] != answers[0], "then the user is asked to wait"


async def test_guard_blocks_after_many_failures_and_forgives_later() -> None:
    class Clock:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

    class Repo(AttemptsRepository):
        def __init__(self) -> None:
            self.rows: dict = {}

        async def get(self, user_key, purpose):
            return self.rows.get((user_key, purpose))

        async def put(self, user_key, purpose, state):
            self.rows[(user_key, purpose)] = state

        async def clear(self, user_key, purpose):
            self.rows.pop((user_key, purpose), None)

    clock = Clock()
    guard = ReceiptGuard(Repo(), clock=clock)
    waits = []
    for _ in range(10):
        waits.append(await guard.wait_seconds(b"u"))
        clock.now += waits[-1]
        await guard.failed(b"u")
    assert waits[:3] == [0, 0, 0]
    assert waits[3] == 30 and waits[4] == 60, "exponential slow-down"
    assert await guard.wait_seconds(b"u") >= 3600 - 1, "blocked for an hour after ten"
    assert await guard.wait_seconds(b"other") == 0, "other users are not affected"


async def test_add_information_text_and_file(citizen: Citizen, services: Services) -> None:
    code = await submit_report(citizen)
    shown = await citizen.say(f"/status {code}")
    assert "do:addinfo" in buttons(shown).values()
    await citizen.press("do:addinfo")
    await citizen.say("Дополнение: номер машины инспектора 123 ABC 02, время 14:30.")
    await citizen.photo(b"\xff\xd8more")
    await citizen.press("do:done")
    notes = await services.database.fetchone("SELECT count(*) FROM report_notes")
    files = await services.database.fetchone(
        "SELECT count(*) FROM attachments WHERE report_id IS NOT NULL"
    )
    assert notes[0] == 1 and files[0] == 2
    history = texts(await citizen.say(f"/status {code}"))[-1]
    assert history.count("•") >= 3


async def test_checking_a_report_keeps_the_draft_in_progress(citizen: Citizen) -> None:
    code = await submit_report(citizen)
    await citizen.say("/report")
    await citizen.press("rg:atyrau")
    await citizen.press("sp:land")
    await citizen.press("wh:today")
    await citizen.press("do:skip")
    await citizen.say(BODY)
    await citizen.say(f"/status {code}")
    resumed = await citizen.say("/cancel")
    assert "do:done" in buttons(resumed).values(), "back at the text step, text kept"
    evidence = await citizen.press("do:done")
    await citizen.press("do:skip")
    review = texts(await citizen.press("do:cno"))[-1]
    assert "Атырау" in review and "50 000" in review
    assert evidence


async def test_status_replies_never_repeat_the_users_name(citizen: Citizen) -> None:
    code = await submit_report(citizen)
    for request in await citizen.say(f"/status {code}"):
        if isinstance(request, SendMessage):
            assert "Айгерим" not in request.text


async def test_an_addition_delivered_twice_is_stored_once(
    citizen: Citizen, services: Services
) -> None:
    code = await submit_report(citizen)
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")
    update = Update(update_id=20_000_000, message=citizen._message(text="Дополнение один раз"))
    await citizen.dispatcher.feed_update(citizen.bot, update)
    await citizen.dispatcher.feed_update(citizen.bot, update)
    notes = await services.database.fetchone("SELECT count(*) FROM report_notes")
    assert notes[0] == 1


async def stored_items(services: Services) -> int:
    row = await services.database.fetchone(
        "SELECT (SELECT count(*) FROM report_notes) + "
        "(SELECT count(*) FROM attachments WHERE report_id IS NOT NULL)"
    )
    return row[0]


async def test_a_report_takes_additions_up_to_its_limit_and_then_says_so(
    citizen: Citizen, services: Services
) -> None:
    code = await submit_report(citizen)
    report = await services.database.fetchone("SELECT id FROM reports")
    fillers = MAX_STORED_ITEMS - 1 - await stored_items(services)
    await services.database.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
        "INSERT INTO report_notes (id, report_id, body, created_at, seq) "
        "SELECT 'filler-' || i, ?, ?, '2026-01-01T00:00:00+00:00', "
        "(SELECT coalesce(max(seq), 0) FROM report_notes) + i FROM n",
        (fillers, report[0], b"\x00"),
    )
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")
    await citizen.say("Последнее дополнение, которое ещё помещается")
    assert await stored_items(services) == MAX_STORED_ITEMS

    refused = [*await citizen.say("Ещё одно дополнение"), *await citizen.photo(b"\xff\xd8more")]
    assert await stored_items(services) == MAX_STORED_ITEMS
    limit = f"текстов и файлов ({MAX_STORED_ITEMS})"
    assert [limit in text and "/report" in text for text in texts(refused)] == [True, True]
