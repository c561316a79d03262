"""End to end: the officers' roster with ``python -m bot`` against the fake Bot API server.

An admin invites a person, the person joins in private and accepts a case in the linked group;
a member of the same group who is not on the roster presses the case buttons and sends /export,
/stats and /unlink, an anonymous admin and Telegram's service account try too, an officer of
another region forges a press: all refused, and the database file is byte for byte the same
table by table. /export in the group arrives in private; a removed officer is refused at the next
press; /audit names the officer.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from aiogram.utils.i18n import gettext as _

from bot.telegram.i18n import create_i18n
from tests.e2e.botprocess import START_TIMEOUT, BotProcess, check
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser
from tests.support.flows import cards, case_id_of, data, press_in
from tests.support.live import ADMIN_ID, live_bot
from tests.support.people import Person

BODY = "Начальник отдела акимата требует 200 000 тенге за разрешение на строительство."
I18N = create_i18n("kk")


def ru(text: str) -> str:
    with I18N.context(), I18N.use_locale("ru"):
        return _(text)


ONLY_OFFICERS = ru("Only the department's officers can do this.")
OWN_ACCOUNT = ru(
    "Please act from your own account: anonymous admins, channels and Telegram's service "
    "accounts cannot act on cases."
)


def rows(workdir: Path) -> dict[str, list[str]]:
    """Every row of every table of the running bot's database."""
    with closing(sqlite3.connect(workdir / "data" / "adal.sqlite3")) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {
            table: sorted(repr(row) for row in conn.execute(f"SELECT * FROM {table}"))
            for table in tables
        }


async def reporter_told(workdir: Path) -> None:
    """The running bot has sent the reporter the news of the acceptance, and forgotten where."""
    for _attempt in range(100):
        if not any("'notice'" in row and "'pending'" in row for row in rows(workdir)["outbox"]):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the reporter was not told")


async def reply(api: FakeBotAPI, user: FakeUser, text: str, chat: FakeChat | None = None) -> str:
    mark = api.mark()
    api.send_command(user, text, chat=chat)
    return (await api.next_reply(chat or user, after=mark, timeout=15)).plain_text or ""


async def join_code(api: FakeBotAPI, admin: FakeUser, command: str) -> str:
    return (await reply(api, admin, command)).split("/join ", 1)[1].split()[0]


async def test_the_roster_end_to_end(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    bot = BotProcess(fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID), SEND_INTERVAL_SECONDS="0")
    await bot.start()
    try:
        await roster_story(fake_api, tmp_path)
    finally:
        await bot.stop()


async def roster_story(api: FakeBotAPI, workdir: Path) -> None:
    admin = api.make_user(id=ADMIN_ID, first_name="Admin", language_code="ru")
    group = api.make_group(title="Astana officers")
    linker = api.make_user(language_code="ru")
    await reply(api, linker, f"/join {await join_code(api, admin, '/invite astana')}", group)
    mark = api.mark()
    [russian] = [
        button["callback_data"]
        for button in api.messages_in(group)[-1].buttons
        if button["callback_data"].startswith("cl:ru:")
    ]
    api.press(linker, russian, chat=group)  # the group reads Russian, whoever presses
    await api.wait_for("editMessageText", after=mark, timeout=15)

    officer = api.make_user(first_name="Ерлан", username="erlan_officer", language_code="ru")
    joined = await reply(
        api, officer, f"/join {await join_code(api, admin, '/invite astana officer')}"
    )
    assert "/join" not in joined and ru("officer") in joined
    abai_officer = api.make_user(first_name="Abai", language_code="ru")
    await reply(api, abai_officer, f"/join {await join_code(api, admin, '/invite abai officer')}")

    reporter = Person(api, api.make_user(language_code="ru"))
    await reporter.walk_to_review(BODY, region="astana", contact=True)
    await reporter.press("do:submit", expect="-")
    digest = await BotProcess(api, workdir, "digest", SEND_INTERVAL_SECONDS="0").launch()
    assert await asyncio.wait_for(digest.wait(), START_TIMEOUT) == 0
    card = cards(api, group)[0]
    case = case_id_of(card)

    await press_in(api, officer, group, data("acc", case))
    assert rows(workdir)["reports"][0].count("'accepted'") == 1
    await reporter_told(workdir)

    member = api.make_user(first_name="Member", language_code="ru")
    anonymous = api.make_user(id=1087968824, first_name="Group", language_code="ru")
    telegram = api.make_user(id=777000, first_name="Servicebot", language_code="ru")
    before = rows(workdir)
    for user, expected in ((member, ONLY_OFFICERS), (telegram, OWN_ACCOUNT)):
        for callback in (data("cls", case), data("res", case, "ref"), data("ok", case, "ref")):
            answered = await api.answer_to(api.press_forged(user, callback, card))
            assert answered.get("text") == expected, (user.id, callback)
    forged = await api.answer_to(api.press_forged(abai_officer, data("ok", case, "ref"), card))
    assert forged.get("text") == ONLY_OFFICERS, "an officer of another region"
    for command in ("/export", "/stats", "/unlink"):
        assert await reply(api, member, command, group) == ONLY_OFFICERS, command
        mark = api.mark()
        entity = {"type": "bot_command", "offset": 0, "length": len(command)}
        api.send_content(
            anonymous,
            {"text": command, "entities": [entity], "sender_chat": group.to_dict()},
            chat=group,
        )
        said = await api.next_reply(group, after=mark, timeout=15)
        assert said.plain_text == OWN_ACCOUNT, command
    assert rows(workdir) == before, "nothing changed"
    assert api.calls("sendDocument") == [] and api.calls("sendPhoto") == []

    mark = api.mark()
    api.send_command(officer, "/export", chat=group)
    document = await api.wait_for("sendDocument", after=mark, timeout=15)
    assert document.message is not None and document.message.chat_id == officer.id
    assert await api.next_reply(group, after=mark) is not None
    assert [m for m in api.messages_in(group) if m.kind == "document"] == []

    removed = await reply(api, admin, f"/remove astana {officer.id}")
    assert "erlan_officer" in removed
    answered = await api.answer_to(api.press_forged(officer, data("cls", case), card))
    assert answered.get("text") == ONLY_OFFICERS, "removed: refused at the next press"

    audit = await reply(api, admin, "/audit 1")
    assert "Ерлан" in audit and "@erlan_officer" in audit and f"id {officer.id}" in audit


async def test_check_lists_linked_departments_with_nobody_on_their_roster(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """What an upgraded installation looks like until its officers are invited."""
    async for live in live_bot(fake_api, tmp_path):
        await live.link("astana", fake_api.make_group(title="Astana"))
        await live.link("abai", fake_api.make_group(title="Abai"))
        await live.officer("abai")
    code, lines = await check(fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID))
    assert code == 0, lines
    bare = next(line for line in lines if "nobody on their roster" in line)
    assert bare.startswith("warning") and "astana" in bare and "abai" not in bare
