"""The roster of officers: only people on a region's roster (or admins) act on its cases.

Each attack of the review is performed: a group member who never joined the roster presses the
case buttons and sends /export, /stats and /unlink; an anonymous admin and Telegram's service
account try the same; a removed officer presses again; an officer of another region forges a
press. Each is refused and nothing in the database changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import finish_updates
from bot.departments.roster import SERVICE_ACCOUNTS
from storage.migrations import head
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support.db import content
from tests.support.flows import (
    cards,
    case_buttons,
    case_id_of,
    close,
    data,
    press_in,
    refused,
    report,
)
from tests.support.legacy_schema import LEGACY_MIGRATIONS, as_legacy_database
from tests.support.live import ADMIN_ID, Live, live_bot, said

ONLY_OFFICERS = "Only the department's officers can do this."
OWN_ACCOUNT = (
    "Please act from your own account: anonymous admins, channels and Telegram's service "
    "accounts cannot act on cases."
)
START_PRIVATE = (
    "The export goes only to a private chat. Start a private chat with the bot first (open it "
    "and press Start), then send /export here again."
)
ELSEWHERE = "This case is closed or handled in another chat."
GROUP_ANONYMOUS_BOT = 1087968824


async def astana_case(live: Live, *, contact: bool = True) -> tuple[FakeChat, str, SentMessage]:
    """Astana's group linked and a case of Astana delivered there: the group, case id, card."""
    group = live.api.make_group(title="Astana officers")
    await live.link("astana", group, language="ru")
    await report(live.person(), "astana", contact=contact)
    assert await live.deliver() == 0
    card = cards(live.api, group)[-1]
    return group, case_id_of(card), card


async def command_in(live: Live, user: FakeUser, chat: FakeChat | None, command: str) -> str:
    """The reply to ``command`` sent in ``chat`` (None: the user's private chat)."""
    mark = live.api.mark()
    live.api.send_command(user, command, chat=chat)
    reply = await live.api.next_reply(chat or user, after=mark)
    await finish_updates(live.dispatcher)
    return reply.plain_text or ""


async def commands_refused(
    live: Live, user: FakeUser, chat: FakeChat, locale: str, answer: str, *, anonymous: bool = False
) -> None:
    """/export, /stats and /unlink in ``chat`` get ``answer`` and change, send, export nothing."""
    api = live.api
    for command in ("/export", "/stats", "/unlink", "/unlink astana"):
        before = await content(live.services)
        mark = api.mark()
        if anonymous:
            entity = {"type": "bot_command", "offset": 0, "length": len(command.split()[0])}
            api.send_content(
                user,
                {"text": command, "entities": [entity], "sender_chat": chat.to_dict()},
                chat=chat,
            )
        else:
            api.send_command(user, command, chat=chat)
        reply = await api.next_reply(chat, after=mark)
        await finish_updates(live.dispatcher)
        assert reply.plain_text == said(live, locale, answer), command
        sent = [r.method for r in api.requests[mark:] if r.message is not None]
        assert sent == ["sendMessage"], (command, sent)
        assert await content(live.services) == before, command
    assert await live.services.departments.regions_of(chat.id) == {"astana"}


async def test_invited_officer_joins_in_private_and_acts(live: Live, fake_api: FakeBotAPI) -> None:
    group, case, _card = await astana_case(live)
    officer = await live.officer("astana", first_name="Ерлан", username="erlan_officer")
    roster = live.services.roster
    assert await roster.roles(officer.id) == {"astana": "officer"}

    await press_in(fake_api, officer, group, data("acc", case))
    row = await live.services.database.fetchone("SELECT status FROM reports")
    assert row["status"] == "accepted"

    stored = await live.services.database.fetchall("SELECT user_key, person FROM officers")
    assert len(stored) == 1
    for needle in (str(officer.id), "Ерлан", "erlan_officer"):
        for value in stored[0]:
            assert needle.encode() not in bytes(value), "the officer's identity is sealed"
    assert bytes(stored[0]["user_key"]) == live.services.chats.actor(officer.id)


async def test_a_member_of_the_linked_group_who_is_not_on_the_roster_changes_nothing(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group, case, card = await astana_case(live)
    member = fake_api.make_user(first_name="Just a member", language_code="ru")
    buttons = [*case_buttons(case), data("ok", case, "ref")]
    await refused(live, member, buttons, card, "ru", ONLY_OFFICERS)
    await commands_refused(live, member, group, "ru", ONLY_OFFICERS)
    assert fake_api.calls("sendDocument") == [] and fake_api.calls("sendPhoto") == []
    row = await live.services.database.fetchone("SELECT status, contact FROM reports")
    assert row["status"] == "delivered" and row["contact"] is not None


async def test_a_removed_officer_is_refused_at_the_next_press(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group, case, card = await astana_case(live)
    officer = await live.officer("astana", username="leaving_officer")
    mark = fake_api.mark()
    fake_api.press(officer, data("ask", case), chat=group)
    prompt = await fake_api.next_reply(group, after=mark)
    mark = fake_api.mark()
    fake_api.send_command(live.admin, "/remove astana @leaving_officer")
    removed = await fake_api.next_reply(live.admin, after=mark)
    assert "leaving_officer" in (removed.plain_text or "")
    mark = fake_api.mark()
    fake_api.send_text(officer, "Кто именно требовал?", chat=group, reply_to=prompt)
    answer = await fake_api.next_reply(group, after=mark)
    assert answer.plain_text == said(live, "ru", ONLY_OFFICERS), "a question typed after removal"
    assert await live.services.database.fetchall("SELECT id FROM questions") == []
    await refused(live, officer, [data("acc", case), data("cls", case)], card, "ru", ONLY_OFFICERS)
    await commands_refused(live, officer, group, "ru", ONLY_OFFICERS)
    audit = await command_in(live, live.admin, None, "/audit 1")
    assert "@leaving_officer" in audit, "a removed officer is still named for what they did"


async def test_anonymous_admins_channels_and_telegram_are_told_to_act_as_themselves(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group, case, card = await astana_case(live)
    anonymous = fake_api.make_user(id=GROUP_ANONYMOUS_BOT, first_name="Group", language_code="ru")
    await live.enrol(anonymous, "astana")
    assert await live.services.roster.roles(GROUP_ANONYMOUS_BOT) == {}, "nor can they join"
    await commands_refused(live, anonymous, group, "ru", OWN_ACCOUNT, anonymous=True)
    for service_id in sorted(SERVICE_ACCOUNTS):
        account = fake_api.make_user(id=service_id, first_name="Servicebot", language_code="ru")
        await refused(live, account, [data("acc", case)], card, "ru", OWN_ACCOUNT)
    # A person whose id merely begins with 777000 is a person like any other.
    person = fake_api.make_user(id=777000111, first_name="Person", language_code="ru")
    await live.enrol(person, "astana")
    await press_in(fake_api, person, group, data("acc", case))
    row = await live.services.database.fetchone("SELECT status FROM reports")
    assert row["status"] == "accepted"


async def test_an_officer_of_another_region_is_refused_in_either_chat(
    live: Live, fake_api: FakeBotAPI
) -> None:
    _group, case, card = await astana_case(live)
    abai_group = fake_api.make_group(title="Abai officers")
    await live.link("abai", abai_group, language="ru")
    abai_officer = await live.officer("abai", first_name="Abai")
    await refused(live, abai_officer, case_buttons(case), card, "ru", ONLY_OFFICERS)
    abai_card = fake_api.messages_in(abai_group)[-1]
    await refused(live, abai_officer, case_buttons(case), abai_card, "ru", ELSEWHERE)


async def test_the_fallback_group_does_not_make_its_members_officers(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    fallback = fake_api.make_group(title="Admins' fallback")
    async for live in live_bot(fake_api, tmp_path, fallback_chat_id=fallback.id):
        await report(live.person(), "shymkent")
        await live.deliver()
        card = cards(fake_api, fallback)[0]
        case = case_id_of(card)
        member = fake_api.make_user(language_code="ru")
        await refused(live, member, case_buttons(case), card, "ru", ONLY_OFFICERS)
        officer = await live.officer("shymkent")
        await press_in(fake_api, officer, fallback, data("acc", case))


async def test_close_asks_for_confirmation_and_admins_reopen(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group, case, _card = await astana_case(live, contact=True)
    officer = await live.officer("astana")
    await press_in(fake_api, officer, group, data("cls", case))
    await press_in(fake_api, officer, group, data("res", case, "ref"))
    card = cards(fake_api, group)[-1]
    confirm = {button["callback_data"] for button in card.buttons}
    assert confirm == {data("ok", case, "ref"), data("bk", case)}
    assert all(len(value.encode()) <= 64 for value in confirm)
    row = await live.services.database.fetchone("SELECT status, contact FROM reports")
    assert row["status"] == "delivered" and row["contact"] is not None, "not closed yet"
    await press_in(fake_api, officer, group, data("bk", case))
    row = await live.services.database.fetchone("SELECT status, closed_at FROM reports")
    assert tuple(row) == ("delivered", None), "Back closes nothing"

    await close(fake_api, officer, group, case)
    row = await live.services.database.fetchone("SELECT status, contact FROM reports")
    assert (row["status"], row["contact"]) == ("closed", None)

    mark = fake_api.mark()
    fake_api.send_command(live.admin, "/reopen 1")
    await fake_api.next_reply(live.admin, after=mark)
    row = await live.services.database.fetchone("SELECT status, closed_at, resolution FROM reports")
    assert tuple(row) == ("new", None, None)
    events = await live.services.database.fetchall("SELECT kind, detail FROM report_events")
    assert tuple(events[-1]) == ("reopened", "ref")
    audit = await live.services.database.fetchall("SELECT action, actor FROM audit")
    assert audit[-1]["action"] == "reopened"
    assert bytes(audit[-1]["actor"]) == live.services.chats.actor(ADMIN_ID)
    await live.deliver()
    assert len(cards(fake_api, group)) == 2, "the reopened case goes out again"

    citizen = fake_api.make_user(language_code="ru")
    mark = fake_api.mark()
    fake_api.send_command(citizen, "/reopen 1")
    reply = await fake_api.next_reply(citizen, after=mark)
    assert "/report" in (reply.plain_text or ""), "only admins reopen"


async def test_export_in_a_group_goes_to_the_requesters_private_chat(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group, _case, _card = await astana_case(live)
    officer = await live.officer("astana")
    fake_api.block(officer)
    hint = await command_in(live, officer, group, "/export")
    assert hint == said(live, "ru", START_PRIVATE)
    assert fake_api.calls("sendDocument") == []
    assert await live.services.database.fetchall("SELECT id FROM audit") == []

    fake_api.unblock(officer)
    mark = fake_api.mark()
    fake_api.send_command(officer, "/export", chat=group)
    document = await fake_api.wait_for("sendDocument", after=mark)
    assert document.message is not None and document.message.chat_id == officer.id
    said_in_group = await fake_api.next_reply(group, after=mark)
    assert said_in_group.plain_text == said(live, "ru", "Sent to you in a private chat.")
    in_group = [m for m in fake_api.messages_in(group) if m.kind == "document"]
    assert in_group == [], "no export is ever sent into a group"

    mark = fake_api.mark()
    fake_api.send_command(officer, "/export")
    await fake_api.wait_for("sendDocument", after=mark)
    regions = await live.services.database.fetchall(
        "SELECT region FROM audit WHERE action = 'export'"
    )
    assert [row["region"] for row in regions] == ["astana", "astana"], "in private: their regions"


async def test_heads_manage_their_regions_roster_only(live: Live, fake_api: FakeBotAPI) -> None:
    head = await live.officer("astana", "head", username="the_head")
    mark = fake_api.mark()
    fake_api.send_command(head, "/invite astana officer")
    invite = await fake_api.next_reply(head, after=mark)
    code = (invite.plain_text or "").split("/join ", 1)[1].split()[0]
    newcomer = fake_api.make_user(username="newcomer", language_code="ru")

    group = fake_api.make_group(title="Someone's group")
    mark = fake_api.mark()
    fake_api.send_command(newcomer, f"/join {code}", chat=group)
    await fake_api.next_reply(group, after=mark)
    mark = fake_api.mark()
    fake_api.send_command(newcomer, f"/join {code}")
    await fake_api.next_reply(newcomer, after=mark)
    assert await live.services.roster.roles(newcomer.id) == {}, "a code shown in a group is spent"
    assert await live.services.departments.regions_of(group.id) == set()

    for command in ("/invite abai officer", "/invite astana head"):
        mark = fake_api.mark()
        fake_api.send_command(head, command)
        reply = await fake_api.next_reply(head, after=mark)
        assert "/join" not in (reply.plain_text or ""), command
    officer = await live.officer("astana", username="an_officer")
    listing = await command_in(live, head, None, "/officers")
    assert "an_officer" in listing and "the_head" in listing
    mark = fake_api.mark()
    fake_api.send_command(officer, "/officers")
    reply = await fake_api.next_reply(officer, after=mark)
    assert "an_officer" not in (reply.plain_text or ""), "officers do not manage the roster"
    mark = fake_api.mark()
    fake_api.send_command(head, f"/remove astana {officer.id}")
    await fake_api.next_reply(head, after=mark)
    assert await live.services.roster.roles(officer.id) == {}


@pytest.mark.sqlite_only  # a file from before Alembic
async def test_a_database_from_before_the_roster_keeps_its_chats_and_cases(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    """A file at the schema version before the roster (kept in ``PRAGMA user_version``, before
    Alembic), with a linked chat and a case, opened by this code."""
    roster_version = next(
        number
        for number, script in enumerate(LEGACY_MIGRATIONS)
        if "CREATE TABLE officers" in script
    )
    group = fake_api.make_group(title="Astana officers")
    async for before in live_bot(fake_api, tmp_path):
        address = before.services.chats.address(group.id)
        await before.services.database.execute(
            "INSERT INTO department_chats (chat_key, region, chat_ref, kind, linked_at, seq) "
            "VALUES (?, 'astana', ?, 'group', '2026-01-01T00:00:00+00:00', 1)",
            (address.key, address.ref),
        )
        await report(before.person(), "astana")
        path = before.services.settings.database_path
    as_legacy_database(path, roster_version)

    async for after in live_bot(fake_api, tmp_path):
        version = await after.services.database.fetchone("SELECT version_num FROM alembic_version")
        assert version[0] == head()
        assert await after.services.departments.regions_of(group.id) == {"astana"}
        count = await after.services.database.fetchone("SELECT count(*) FROM reports")
        assert count[0] == 1
        assert await after.deliver() == 0
        assert len(cards(fake_api, group)) == 1, "the linked chat still gets its digest"
        case = case_id_of(cards(fake_api, group)[0])
        officer = await after.officer("astana")
        await press_in(fake_api, officer, group, data("acc", case))
