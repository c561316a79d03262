"""A department chat reads one language, whoever presses; /open brings cards back; digests and
files name their cases; /invite names its region."""

from __future__ import annotations

import pytest

from bot.app import finish_updates, publish_profile
from bot.ui.keyboards import LANGUAGE_NAMES
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support.flows import BODY, cards, case_id_of, data, region_name, report
from tests.support.live import ADMIN_ID, Live, said

OTHER = {"kk": "ru", "ru": "kk"}
CASE = "<b>Case № {number}</b>"
BOTH = pytest.mark.parametrize("language", ["kk", "ru"])


def plain(html: str) -> str:
    return html.replace("<b>", "").replace("</b>", "")


def labels(message: SentMessage) -> list[str]:
    return [button["text"] for button in message.buttons]


async def toast(
    live: Live,
    user: FakeUser,
    chat: FakeChat | FakeUser,
    callback: str,
    *,
    forged_under: SentMessage | None = None,
) -> str:
    """Press a button (or send its data from a modified client, under ``forged_under``); the
    text of the bot's answer to the press, once the update is handled."""
    api = live.api
    if forged_under is not None:
        query = api.press_forged(user, callback, forged_under)
    else:
        query = api.press(user, callback, **({} if chat is user else {"chat": chat}))
    answer = await api.answer_to(query)
    await finish_updates(live.dispatcher)
    return str(answer.get("text") or "")


async def command(live: Live, user: FakeUser, chat: FakeChat | FakeUser, text: str) -> SentMessage:
    mark = live.api.mark()
    live.api.send_command(user, text, **({} if chat is user else {"chat": chat}))
    return await live.api.next_reply(chat, after=mark)


async def new_card(live: Live, chat: FakeChat | FakeUser, text: str) -> SentMessage:
    """A citizen (writing in Russian) reports in Astana; the card the digest brings to ``chat``."""
    await report(live.person(), "astana", body=f"{BODY} {text}")
    assert await live.deliver() == 0
    [card] = [m for m in cards(live.api, chat) if text in (m.plain_text or "")]
    return card


@BOTH
async def test_a_chat_reads_its_language_whoever_presses_and_switches_with_language(
    live: Live, fake_api: FakeBotAPI, language: str
) -> None:
    other = OTHER[language]
    group = fake_api.make_group(title="Astana officers")
    await live.link("astana", group, language=language)
    [chosen] = fake_api.messages_in(group)
    assert chosen.plain_text == said(
        live,
        language,
        "Language of this chat: {language}\nRegions: {regions}\nTo change it, send /language.",
        language=LANGUAGE_NAMES[language],
        regions=region_name("astana", language),
    )
    assert chosen.buttons == []
    officer = await live.officer("astana", language=other, first_name="Officer")

    card = await new_card(live, group, "FIRST")
    assert (card.plain_text or "").startswith(plain(said(live, language, CASE, number=1)))
    [header] = [m for m in fake_api.messages_in(group) if (m.plain_text or "").startswith("📬")]
    assert said(live, language, "New reports: {count} (№ {numbers})", count=1, numbers=1) in (
        header.plain_text or ""
    )

    case = case_id_of(card)
    assert await toast(live, officer, group, data("acc", case)) == said(live, language, "Accepted.")
    accepted = next(m for m in fake_api.messages_in(group) if m.message_id == card.message_id)
    assert said(live, language, "🏁 Close") in labels(accepted)
    assert said(live, other, "🏁 Close") not in labels(accepted), "no buttons in the presser's"
    await toast(live, officer, group, data("cls", case))
    closing = next(m for m in fake_api.messages_in(group) if m.message_id == card.message_id)
    assert said(live, language, "Referred for investigation") in labels(closing)
    await toast(live, officer, group, data("bk", case))

    mark = fake_api.mark()
    fake_api.send_command(officer, "/stats", chat=group)
    stats = await fake_api.next_reply(group, after=mark)
    assert f"• {region_name('astana', language)}: 1" in (stats.plain_text or "")
    await fake_api.wait_for("sendPhoto", after=mark)

    question = await command(live, officer, group, "/language")
    assert question.plain_text == said(
        live,
        language,
        "Which language for this chat? Cards, digests, buttons and the bot's answers here will "
        "all be in it, whoever presses.",
    )
    mark = fake_api.mark()
    fake_api.press(officer, f"cl:{other}:", chat=group)
    switched = await fake_api.next_reply(group, after=mark, methods=("editMessageText",))
    assert region_name("astana", other) in (switched.plain_text or "")
    assert await live.services.departments.chat_locale(group.id) == other

    second = await new_card(live, group, "SECOND")
    assert said(live, other, "✅ Accept") in labels(second)
    assert (second.plain_text or "").startswith(plain(said(live, other, CASE, number=2)))
    assert await toast(live, officer, group, data("acc", case_id_of(second))) == said(
        live, other, "Accepted."
    )


async def test_only_the_linker_or_the_roster_choose_a_chats_language(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana officers")
    linker = await live.link("astana", group)
    [question] = fake_api.messages_in(group)
    [kk_choice] = [b["callback_data"] for b in question.buttons if b["callback_data"][3:5] == "kk"]
    member = fake_api.make_user(language_code="kk")
    refusal = said(live, "kk", "Only the department's officers can do this.")
    assert await toast(live, member, group, kk_choice) == refusal
    for forged in ("cl:kk:", "cl:kk:AAAAAAAA"):
        assert await toast(live, member, group, forged, forged_under=question) == refusal
    assert (await command(live, member, group, "/language")).plain_text == refusal
    assert await live.services.departments.chat_locale(group.id) == "kk", "the department's"
    row = await live.services.database.fetchone("SELECT locale FROM department_chats")
    assert row["locale"] is None, "nothing was chosen"

    await toast(live, linker, group, kk_choice.replace(":kk:", ":ru:"))
    row = await live.services.database.fetchone("SELECT locale FROM department_chats")
    assert row["locale"] == "ru", "the person who linked the chat chooses, without a roster"

    elsewhere = fake_api.make_group(title="Not a department")
    officer = await live.officer("astana", language="kk")
    reply = await command(live, officer, elsewhere, "/language")
    assert reply.plain_text == said(live, "kk", "This chat is not linked to a department.")


async def test_a_chat_linked_to_a_second_region_keeps_its_language(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Two regions")
    await live.link("astana", group, language="ru")
    await live.link("abai", group)
    rows = await live.services.database.fetchall("SELECT region, locale FROM department_chats")
    assert {(row["region"], row["locale"]) for row in rows} == {("astana", "ru"), ("abai", "ru")}


@BOTH
async def test_an_officers_private_chat_reads_the_language_chosen_at_join(
    live: Live, fake_api: FakeBotAPI, language: str
) -> None:
    officer = fake_api.make_user(language_code=OTHER[language])
    await live.link("astana", officer, language=language)
    card = await new_card(live, officer, "PRIVATE")
    assert said(live, language, "✅ Accept") in labels(card)
    prefs = await live.services.repositories.prefs.get_locale(
        live.services.pseudonyms.digest("user", officer.id)
    )
    assert prefs == language, "in their own chat the officer's language is the chat's"


@BOTH
async def test_open_lists_cases_by_deadline_and_brings_a_card_back(
    live: Live, fake_api: FakeBotAPI, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.cases.chat_views.PAGE_SIZE", 2)
    group = fake_api.make_group(title="Astana officers")
    await live.link("astana", group, language=language)
    officer = await live.officer("astana", language=OTHER[language])
    for name in ("ONE", "TWO", "THREE"):
        await report(live.person(), "astana", body=f"{BODY} {name}")
    await report(live.person(), "abai", body=f"{BODY} ELSEWHERE")
    assert await live.deliver() == 0
    await live.services.database.execute(
        "UPDATE reports SET created_at = '2026-01-05T10:00:00+00:00' WHERE case_no = 3"
    )
    two = next(m for m in cards(fake_api, group) if "TWO" in (m.plain_text or ""))
    await toast(live, officer, group, data("acc", case_id_of(two)))

    listing = await command(live, officer, group, "/open")
    text = listing.plain_text or ""
    title = said(
        live, language, "📂 <b>Open cases: {count}</b>, the nearest deadline first.", count=3
    )
    assert text.splitlines()[0] == plain(title)
    assert said(live, language, "Page {page} of {pages}.", page=1, pages=2) in text
    lines = [line for line in text.splitlines() if "№" in line and "·" in line]
    assert [line.split("№ ")[1].split(" ")[0] for line in lines] == ["3", "1"], "overdue first"
    assert lines[0].startswith("⏰")
    assert all(said(live, language, "not accepted yet") in line for line in lines)
    assert said(live, language, "not possible") not in text
    assert [b["text"] for b in listing.buttons] == ["№ 3", "№ 1", "▶️"]

    mark = fake_api.mark()
    fake_api.press(officer, "op:page:1", chat=group)
    turned = await fake_api.next_reply(group, after=mark, methods=("editMessageText",))
    assert [b["text"] for b in turned.buttons] == ["№ 2", "◀️"], "accepted: the later deadline"
    case_status = said(live, language, "accepted")
    assert case_status in (turned.plain_text or "")

    before = len(cards(fake_api, group))
    answer = await toast(live, officer, group, f"op:card:{case_id_of(two)}")
    assert answer == said(live, language, "The card of case № {number} is on its way.", number=2)
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    again = await fake_api.next_reply(group, after=mark)
    assert len(cards(fake_api, group)) == before + 1
    assert "TWO" in (again.plain_text or "")
    assert said(live, language, "✅ Accept") not in labels(again), "its keyboard as it is now"
    assert said(live, language, "🏁 Close") in labels(again)
    reads = await live.services.database.fetchall(
        "SELECT a.action FROM audit AS a JOIN reports AS r ON r.id = a.report_id "
        "WHERE r.case_no = 2"
    )
    assert [row["action"] for row in reads] == ["accepted", "read"]


async def test_open_is_for_the_roster_and_shows_only_this_chats_cases(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana officers")
    await live.link("astana", group, language="ru")
    await report(live.person(), "abai", body=f"{BODY} ABAI")
    await report(live.person(), "astana", body=f"{BODY} ASTANA")
    abai = fake_api.make_group(title="Abai officers")
    await live.link("abai", abai, language="ru")
    assert await live.deliver() == 0
    abai_case = case_id_of(cards(fake_api, abai)[0])

    member = fake_api.make_user(language_code="ru")
    refusal = said(live, "ru", "Only the department's officers can do this.")
    assert (await command(live, member, group, "/open")).plain_text == refusal
    under = fake_api.messages_in(group)[0]
    assert await toast(live, member, group, "op:page:0", forged_under=under) == refusal

    officer = await live.officer("astana")
    listing = await command(live, officer, group, "/open")
    assert [b["text"] for b in listing.buttons] == ["№ 2"], "Abai's case is not this chat's"
    refused = await toast(live, officer, group, f"op:card:{abai_case}", forged_under=listing)
    assert refused == said(live, "ru", "This case is closed or handled in another chat.")

    mark = fake_api.mark()
    fake_api.send_command(officer, "/open")
    private = await fake_api.next_reply(officer, after=mark)
    assert [b["text"] for b in private.buttons] == ["№ 2"], "their regions in their own chat"
    await toast(live, officer, officer, f"op:card:{case_id_of(cards(fake_api, group)[0])}")
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    copy = await fake_api.next_reply(officer, after=mark)
    assert "ASTANA" in (copy.plain_text or "")
    assert copy.buttons == [], "no buttons where the case cannot be acted on"


@BOTH
async def test_files_carry_their_case_and_number_and_the_header_its_numbers(
    live: Live, fake_api: FakeBotAPI, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.cases.views.DIGEST_NUMBERS", 2)
    group = fake_api.make_group(title="Astana officers")
    await live.link("astana", group, language=language)
    for index in range(3):
        await report(live.person(), "astana", photo=b"\xff\xd8photo-%d" % index)
    assert await live.deliver() == 0
    photos = [m for m in fake_api.messages_in(group) if m.kind == "photo"]
    assert len(photos) == 3
    for number, photo in enumerate(photos, 1):
        heading = said(
            live,
            language,
            "Case № {number} · file {ordinal}/{total}",
            number=number,
            ordinal=1,
            total=1,
        )
        assert (photo.plain_text or "").split("\n")[0] == heading
    [header] = [m for m in fake_api.messages_in(group) if (m.plain_text or "").startswith("📬")]
    listed = said(live, language, "New reports: {count} (№ {numbers})", count=3, numbers="1, 2, …")
    assert listed in (header.plain_text or "")


@BOTH
async def test_invite_names_the_region(live: Live, fake_api: FakeBotAPI, language: str) -> None:
    admin = fake_api.make_user(id=ADMIN_ID, first_name="Admin", language_code=language)
    reply = await command(live, admin, admin, "/invite shymkent")
    text = reply.plain_text or ""
    assert f"{region_name('shymkent', language)}" in text
    assert "shymkent" not in text


async def test_groups_have_a_command_menu_with_open(live: Live, fake_api: FakeBotAPI) -> None:
    await publish_profile(live.bot, live.services)
    group_menus = {
        language: [c["command"] for c in commands]
        for (scope, language), commands in fake_api.commands.items()
        if "all_group_chats" in scope
    }
    assert set(group_menus) == {"", "kk", "ru"}
    for menu in group_menus.values():
        assert {"open", "language", "stats", "join", "unlink"} == set(menu)
