"""Reporters who cannot be linked: not report to report without the keys, and not account to
report with them, unless the reporter allowed questions back."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.core import receipt
from bot.outbox.items import REPORTER_KINDS
from bot.ui.callbacks import Action, ActionCB
from storage.times import HOUR
from tests.conftest import TEST_KEY
from tests.fakeapi import FakeBotAPI
from tests.support.flows import (
    BODY,
    cards,
    case_id_of,
    close,
    data,
    post_question,
    press_in,
    report,
)
from tests.support.linking import Attacker, Link
from tests.support.live import Live, live_bot

CLEAR = ActionCB(action=Action.CLEAR_CHAT).pack()

# The attacker reads the SQLite file (tests/support/linking.py).
pytestmark = pytest.mark.sqlite_only


def database_file(live: Live) -> Path:
    return live.services.settings.database_path


def reporter_rows(live: Live) -> list[sqlite3.Row]:
    """The outbox rows of messages to reporters, read from the file as a thief would."""
    with closing(sqlite3.connect(database_file(live))) as conn:
        conn.row_factory = sqlite3.Row
        marks = ", ".join("?" * len(REPORTER_KINDS))
        return conn.execute(
            f"SELECT * FROM outbox WHERE kind IN ({marks}) ORDER BY id",
            sorted(REPORTER_KINDS),
        ).fetchall()


def code_in(receipt_text: str) -> str:
    return next(code for line in receipt_text.splitlines() if (code := receipt.parse(line)))


async def test_two_reports_of_one_reporter_share_no_address_and_no_exact_time(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    await report(person, "astana", contact=True, body=f"{BODY} FIRST report of one person")
    await report(person, "astana", contact=True, body=f"{BODY} SECOND report of one person")
    await live.deliver()
    first, second = (case_id_of(card) for card in cards(fake_api, group)[:2])
    officer = await live.officer("astana")
    await post_question(live, officer, group, first, "Which office? Q-FIRST")
    await press_in(fake_api, officer, group, data("acc", second))
    await close(fake_api, officer, group, second)

    owed = reporter_rows(live)
    assert [row["kind"] for row in owed] == ["question", "notice", "notice"], "accepted, closed"
    keys = [bytes(row["chat_key"]) for row in owed]
    refs = [bytes(row["chat_ref"]) for row in owed]
    assert len(set(keys)) == 3 and len(set(refs)) == 3, "nothing shared, not even by one report"
    with closing(sqlite3.connect(database_file(live))) as conn:
        others = {
            bytes(k)
            for (k,) in conn.execute(
                "SELECT chat_key FROM outbox WHERE kind NOT IN ('question', 'notice')"
            )
        }
        others |= {bytes(k) for (k,) in conn.execute("SELECT chat_key FROM subscribers")}
    assert not others & set(keys), "and nothing shared with any other row"
    assert keys[0] != live.services.chats.key(person.user.id)
    assert all(row["created_at"] % HOUR == 0 for row in owed), "to the hour"

    mark = fake_api.mark()
    assert await live.sender.drain(within=3) == 0
    received = [m.plain_text or "" for m in fake_api.messages_in(person.user)[-3:]]
    assert any("Q-FIRST" in text for text in received), "the question still reaches them"
    assert fake_api.calls("sendMessage", after=mark)
    for row in reporter_rows(live):
        assert row["status"] == "sent"
        assert (bytes(row["chat_key"]), bytes(row["chat_ref"])) == (b"", b""), "address forgotten"
        assert row["payload"] is None and row["message_id"] is None
        for moment in (row["created_at"], row["sent_at"], row["next_attempt"]):
            assert moment % HOUR == 0, "no exact time"
    with closing(sqlite3.connect(database_file(live))) as conn:
        created = [value for (value,) in conn.execute("SELECT created_at FROM reports")]
    assert all(value.endswith(":00:00+00:00") for value in created), created


async def test_a_reporter_who_blocked_the_bot_is_forgotten_not_retried(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    await report(person, "astana", contact=True)
    await live.deliver()
    case = case_id_of(cards(fake_api, group)[0])
    fake_api.block(person.user)
    await post_question(live, await live.officer("astana"), group, case, "Q-BLOCKED")
    mark = fake_api.mark()
    assert await live.sender.drain(within=3) == 0, "nothing held for a blocked reporter"
    [row] = reporter_rows(live)
    assert row["status"] == "dropped" and bytes(row["chat_ref"]) == b""
    alerts = [
        m for m in fake_api.messages_in(live.admin) if "does not accept" in (m.plain_text or "")
    ]
    assert alerts == [] and fake_api.calls("sendMessage", after=mark) != []


async def test_with_the_keys_trying_telegram_ids_links_no_account_to_a_report_it_did_not_opt_in(
    live: Live, fake_api: FakeBotAPI
) -> None:
    """The attack of issue 12, finding 8: database files, keys, candidate Telegram ids."""
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    quiet = live.person()  # allows no questions
    await quiet.command("/start", button="do:new")
    await quiet.command("/language", button="lang:kk")
    await quiet.press("lang:kk", button="do:new")
    code = code_in(await report(quiet, "astana", contact=False, body=f"{BODY} QUIET report"))
    opted = live.person()  # allows questions: the attack must find this one
    await report(opted, "astana", contact=True, body=f"{BODY} OPTED report")
    await live.deliver()
    quiet_case, opted_case = (case_id_of(card) for card in cards(fake_api, group)[:2])
    officer = await live.officer("astana")
    await post_question(live, officer, group, quiet_case, "Когда именно? Q-QUIET")
    await post_question(live, officer, group, opted_case, "Где именно? Q-OPTED")
    await live.sender.drain(within=3)

    await quiet.command("/status", expect="K7QM")
    await quiet.say("AAAA-BBBB-CCCC-DDDD")  # a wrong code first: the counter is under the pseudonym
    shown = await quiet.say(receipt.format_code(code), expect="Q-QUIET")
    await quiet.press(shown.buttons[0]["callback_data"], button="do:done")
    await quiet.say("Во вторник утром ANSWER-QUIET", button="do:done")
    status = await quiet.command(f"/status {code}", button="do:addinfo")
    assert "№" in (status.plain_text or "")
    await quiet.press("do:addinfo", button="do:done")
    await quiet.say("ADDITION-QUIET", button="do:done")
    attacker = Attacker(database_file(live), [TEST_KEY])
    candidates = [quiet.user.id, opted.user.id, officer.id, live.admin.id, 1, 2, 10**9 + 7]

    def attack() -> dict[int, set[Link]]:
        return {candidate: attacker.links(candidate) for candidate in candidates}

    found = attack()  # while the check is still open
    assert found[opted.user.id] == {Link(opted_case, "contact")}, "the attack works"
    assert found[quiet.user.id] == set(), "and finds nothing of the one who did not opt in"

    await quiet.command("/report", button="rg:abai")  # a new draft, under the pseudonym too
    await quiet.press("rg:astana", button="sp:akimat")
    mark = fake_api.mark()
    receipt_message = next(
        m
        for m in fake_api.messages_in(quiet.user)
        if m.buttons and m.buttons[0].get("callback_data") == CLEAR
    )
    fake_api.press(quiet.user, CLEAR, receipt_message)
    await fake_api.wait_for("deleteMessages", after=mark)
    await live.sender.drain(within=3)
    found = attack()
    assert found[quiet.user.id] == set() and found[opted.user.id] == {Link(opted_case, "contact")}

    with closing(sqlite3.connect(database_file(live))) as conn:
        notes = conn.execute(
            "SELECT count(*) FROM report_notes WHERE report_id = ?", (quiet_case,)
        ).fetchone()[0]
        locales = {locale for (locale,) in conn.execute("SELECT locale FROM user_prefs")}
        states = {state for (state,) in conn.execute("SELECT state FROM fsm")}
    assert notes == 2, "the answer and the addition reached the report"
    assert locales == {"kk"}, "the language is still the reporter's"
    assert "ReportForm:sphere" in states


async def test_an_open_check_is_not_stored_and_after_a_restart_asks_for_the_code_again(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    async for live in live_bot(fake_api, tmp_path):
        person = live.person()
        code = code_in(await report(person, "astana"))
        await person.command(f"/status {code}", button="do:addinfo")
        await person.press("do:addinfo", button="do:done")
    async for live in live_bot(fake_api, tmp_path):
        ended = await person.say("ADDITION-AFTER-RESTART", expect="/status")
        assert "receipt" in (ended.plain_text or "") or "код" in (ended.plain_text or "")
        with closing(sqlite3.connect(database_file(live))) as conn:
            assert conn.execute("SELECT count(*) FROM report_notes").fetchone()[0] == 0
        await person.command(f"/status {code}", button="do:addinfo")
        await person.press("do:addinfo", button="do:done")
        await person.say("ADDITION-AFTER-RESTART", button="do:done")
        with closing(sqlite3.connect(database_file(live))) as conn:
            assert conn.execute("SELECT count(*) FROM report_notes").fetchone()[0] == 1
