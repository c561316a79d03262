"""Departments: linking chats, digests routed by region, officers' buttons, delivery faults."""

from __future__ import annotations

import time as clock
from pathlib import Path

import pytest
from aiogram.utils.i18n import gettext as _

from tests.fakeapi import FakeBotAPI
from tests.support.flows import (
    BODY,
    cards,
    case_id_of,
    close,
    data,
    post_question,
    press_in,
    region_name,
    report,
)
from tests.support.live import Live, live_bot


async def test_digest_routes_each_case_to_its_region_and_unrouted_to_admins(
    live: Live, fake_api: FakeBotAPI
) -> None:
    astana = fake_api.make_group(title="Astana officers")
    abai = fake_api.make_group(title="Abai officers")
    await live.link("astana", astana)
    await live.link("abai", abai)
    reporter = live.person(first_name="Тайный", last_name="Заявитель", username="secret_reporter")
    await report(reporter, "astana", body=BODY + " ASTANA-CASE")
    await report(reporter, "abai", body=BODY + " ABAI-CASE", photo=b"\xff\xd8abai-photo")
    await report(reporter, "shymkent", body=BODY + " SHYMKENT-CASE")

    assert await live.deliver() == 0

    astana_cards = [m.plain_text for m in cards(fake_api, astana)]
    abai_cards = [m.plain_text for m in cards(fake_api, abai)]
    admin_cards = [m.plain_text for m in cards(fake_api, live.admin)]
    assert len(astana_cards) == 1 and "ASTANA-CASE" in astana_cards[0]
    assert len(abai_cards) == 1 and "ABAI-CASE" in abai_cards[0]
    assert len(admin_cards) == 1 and "SHYMKENT-CASE" in admin_cards[0]
    assert "⚠️" in admin_cards[0], "the admins' copy is marked as unrouted"
    photos = [m for m in fake_api.messages_in(abai) if m.kind == "photo"]
    assert len(photos) == 1, "evidence re-uploaded to the department"
    assert fake_api.files[photos[0].file_id].data == b"\xff\xd8abai-photo"
    headers = [m for m in fake_api.messages_in(astana) if "📬" in (m.plain_text or "")]
    assert len(headers) == 1

    user = reporter.user
    for chat in (astana, abai, live.admin):
        for message in fake_api.messages_in(chat):
            text = message.plain_text or ""
            for needle in (str(user.id), user.first_name, user.last_name, user.username):
                assert needle not in text
    assert fake_api.calls("forwardMessage") == []

    assert await live.deliver() == 0
    assert len(cards(fake_api, astana)) == 1, "a second digest does not send a case again"


async def test_faults_end_with_each_case_delivered_once_and_an_alert(
    live: Live, fake_api: FakeBotAPI
) -> None:
    astana = fake_api.make_group(title="Astana")
    abai = fake_api.make_group(title="Abai")
    await live.link("astana", astana)
    await live.link("abai", abai)
    person = live.person()
    for index in range(3):
        await report(person, "astana", body=f"{BODY} A{index}")
    await report(person, "abai", body=f"{BODY} B0")

    fake_api.fail_next("sendMessage", 429, retry_after=1, chat=astana)
    fake_api.fail_next("sendMessage", 500, count=2, chat=astana)
    fake_api.block(abai)
    await live.services.digests.queue()
    for _round in range(6):
        await live.sender.drain(within=3)
        live.services.outbox_ready.clear()
        if all(
            f"A{i}" in " ".join(m.plain_text or "" for m in cards(fake_api, astana))
            for i in range(3)
        ):
            break

    texts = [m.plain_text or "" for m in cards(fake_api, astana)]
    for index in range(3):
        assert sum(f"A{index}" in text for text in texts) == 1, texts
    assert cards(fake_api, abai) == []
    alerts = [m.plain_text or "" for m in fake_api.messages_in(live.admin)]
    abai_name = region_name("abai", live.services.settings.default_locale)
    assert sum("⚠️" in text and abai_name in text for text in alerts) == 1, "named, not coded"
    row = await live.services.database.fetchone("SELECT status FROM reports WHERE region = 'abai'")
    assert row[0] == "new", "the unreachable department's case stays pending"


async def test_officers_accept_close_and_the_reporter_follows(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    receipt_text = await report(person, "astana", contact=True)
    code = next(line for line in receipt_text.splitlines() if line.count("-") == 3)
    await live.deliver()
    card = cards(fake_api, group)[0]
    case = case_id_of(card)
    officer = await live.officer("astana", first_name="Officer")

    await press_in(fake_api, officer, group, data("acc", case))
    row = await live.services.database.fetchone("SELECT status, contact FROM reports")
    assert row["status"] == "accepted" and row["contact"] is not None

    await close(fake_api, officer, group, case)
    row = await live.services.database.fetchone("SELECT status, resolution, contact FROM reports")
    assert (row["status"], row["resolution"], row["contact"]) == ("closed", "ref", None)

    mark = fake_api.mark()
    await live.sender.drain(within=3)
    notice = await fake_api.next_reply(person.user, after=mark)
    assert "№" in (notice.plain_text or "")
    status = await person.command(f"/status {code}", expect="№")
    history = status.plain_text or ""
    assert history.count("•") >= 4, history

    audit = await live.services.database.fetchall("SELECT action, actor FROM audit")
    assert [row["action"] for row in audit] == ["accepted", "read", "closed"]
    assert str(officer.id).encode() not in bytes(audit[0]["actor"])


async def test_wrong_region_moves_the_case_to_the_next_digest_there(
    live: Live, fake_api: FakeBotAPI
) -> None:
    astana = fake_api.make_group(title="Astana")
    abai = fake_api.make_group(title="Abai")
    await live.link("astana", astana)
    await live.link("abai", abai)
    await report(live.person(), "astana", body=BODY + " MOVE-ME")
    await live.deliver()
    case = case_id_of(cards(fake_api, astana)[0])
    officer = await live.officer("astana")
    await press_in(fake_api, officer, astana, data("mov", case))
    old_card = await press_in(fake_api, officer, astana, data("to", case, "abai"))
    assert old_card.buttons == [], "the card left behind takes no more actions"
    assert "↪️" in (old_card.plain_text or "").splitlines()[-1], "and says where the case went"
    await live.deliver()
    moved = cards(fake_api, abai)
    assert len(moved) == 1 and "MOVE-ME" in (moved[0].plain_text or "")
    event = await live.services.database.fetchone(
        "SELECT detail FROM report_events WHERE kind = 'moved'"
    )
    assert event["detail"] == "astana>abai"


async def test_buttons_from_a_chat_that_does_not_serve_the_region_change_nothing(
    live: Live, fake_api: FakeBotAPI
) -> None:
    astana = fake_api.make_group(title="Astana")
    other = fake_api.make_group(title="Someone else's group")
    await live.link("astana", astana)
    await report(live.person(), "astana")
    await live.deliver()
    card = cards(fake_api, astana)[0]
    case = case_id_of(card)
    stranger = fake_api.make_user(language_code="ru")
    mark = fake_api.mark()
    fake_api.send_command(stranger, "/join WRONGCODE", chat=other)
    refusal = await fake_api.next_reply(other, after=mark)
    forged = (
        data("acc", case),
        data("res", case, "ref"),
        data("to", case, "abai"),
        data("acc", "0" * 32),
        f"cs:zzz:{case}:",
        "cs:acc",
    )
    for callback in forged:
        mark = fake_api.mark()
        fake_api.push_update(
            {
                "callback_query": {
                    "id": f"forged-{callback}",
                    "from": {"id": stranger.id, "is_bot": False, "first_name": "S"},
                    "message": refusal.raw,
                    "chat_instance": "x",
                    "data": callback,
                }
            }
        )
        answer = await fake_api.wait_for("answerCallbackQuery", after=mark)
        assert answer.params.get("text"), callback
    row = await live.services.database.fetchone("SELECT status, region FROM reports")
    assert (row["status"], row["region"]) == ("delivered", "astana")
    fake_api.take_violations()


async def test_invite_codes_work_once_and_only_for_admins(live: Live, fake_api: FakeBotAPI) -> None:
    group = fake_api.make_group(title="Astana")
    mark = fake_api.mark()
    fake_api.send_command(live.admin, "/invite astana")
    invite = await fake_api.next_reply(live.admin, after=mark)
    code = (invite.plain_text or "").split("/join ", 1)[1].split()[0]
    officer = fake_api.make_user(language_code="ru")
    mark = fake_api.mark()
    fake_api.send_command(officer, f"/join {code}", chat=group)
    await fake_api.next_reply(group, after=mark)
    other = fake_api.make_group(title="Late group")
    mark = fake_api.mark()
    fake_api.send_command(officer, f"/join {code}", chat=other)
    await fake_api.next_reply(other, after=mark)
    assert await live.services.departments.regions_of(group.id) == {"astana"}
    assert await live.services.departments.regions_of(other.id) == set(), "a used code is refused"

    citizen = fake_api.make_user(language_code="ru")
    mark = fake_api.mark()
    fake_api.send_command(citizen, "/invite astana")
    reply = await fake_api.next_reply(citizen, after=mark)
    assert "/report" in (reply.plain_text or ""), "non-admins get the ordinary unknown answer"
    mark = fake_api.mark()
    fake_api.send_command(live.admin, "/departments")
    overview = await fake_api.next_reply(live.admin, after=mark)
    text = overview.plain_text or ""
    assert region_name("astana") in text and region_name("shymkent") in text
    assert "astana" not in text and "shymkent" not in text, "regions by name, never by code"


async def test_expired_invite_is_refused(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    code = await live.services.departments.invite("abai")
    real = clock.time
    monkeypatch.setattr(clock, "time", lambda: real() + 25 * 3600)
    assert await live.services.departments.join(code or "", -100555, "group") is None


async def test_urgent_reports_skip_the_schedule(live: Live, fake_api: FakeBotAPI) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    await person.command("/report", button="rg:abai")
    await person.press("rg:astana", button="sp:police")
    await person.press("sp:police", button="wh:now")
    await person.press("wh:now", button="do:skip")
    advice = [
        m.plain_text or ""
        for m in fake_api.messages_in(person.user)
        if "102" in (m.plain_text or "")
    ]
    assert any("1424" in text and "🚨" in text for text in advice)
    await person.press("do:skip", button="do:back")
    await person.say(BODY, button="do:done")
    await person.press("do:done", button="do:skip")
    await person.press("do:skip", button="do:cno")
    await person.press("do:cno", button="do:submit")
    await person.press("do:submit", expect="102")

    assert await live.services.digests.queue(urgent_only=True) == 1
    await live.sender.drain(within=3)
    urgent = cards(fake_api, group)
    assert len(urgent) == 1 and "⚡" in (urgent[0].plain_text or "")
    assert not [m for m in fake_api.messages_in(group) if "📬" in (m.plain_text or "")]
    assert await live.services.digests.queue() == 0, "the next digest does not repeat it"


async def test_ask_the_reporter_and_the_answer_reaches_the_case(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person(first_name="Скрытый", username="hidden_one")
    await report(person, "astana", contact=True)
    await live.deliver()
    card = cards(fake_api, group)[0]
    case = case_id_of(card)
    officer = await live.officer("astana", first_name="Officer", username="officer_x")

    await post_question(live, officer, group, case, "Назовите номер кабинета QUESTION-7")
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    question = await fake_api.next_reply(person.user, after=mark)
    assert "QUESTION-7" in (question.plain_text or "")
    assert "officer_x" not in (question.plain_text or "") and "Officer" not in question.plain_text
    answer_data = question.buttons[0]["callback_data"]

    await person.press(answer_data, button="do:done")
    await person.say("Кабинет 214, второй этаж ANSWER-9", button="do:done")
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    relayed = await fake_api.next_reply(group, after=mark)
    assert "ANSWER-9" in (relayed.plain_text or "")
    assert relayed.raw.get("reply_to_message", {}).get("message_id") == card.message_id
    for needle in (str(person.user.id), "Скрытый", "hidden_one"):
        assert needle not in (relayed.plain_text or "")
    statuses = await live.services.database.fetchall("SELECT kind FROM report_events ORDER BY id")
    assert [row["kind"] for row in statuses][-2:] == ["asked", "answered"]


async def test_without_opt_in_the_question_waits_on_status(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    receipt_text = await report(person, "astana", contact=False)
    code = next(line for line in receipt_text.splitlines() if line.count("-") == 3)
    await live.deliver()
    case = case_id_of(cards(fake_api, group)[0])
    officer = await live.officer("astana")
    await post_question(live, officer, group, case, "Когда именно? WAITING-Q")
    await live.sender.drain(within=2)
    assert not [m for m in fake_api.messages_in(person.user) if "WAITING-Q" in (m.plain_text or "")]
    waiting = await person.command(f"/status {code}", expect="WAITING-Q")
    await person.press(waiting.buttons[0]["callback_data"], button="do:done")
    await person.say("Во вторник утром", button="do:done")
    mark = fake_api.mark()
    await live.sender.drain(within=3)
    assert "Во вторник" in ((await fake_api.next_reply(group, after=mark)).plain_text or "")


async def test_overdue_cases_are_flagged_and_reminded(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    async for live in live_bot(fake_api, tmp_path, ack_deadline_days=1):
        group = fake_api.make_group(title="Astana")
        await live.link("astana", group)
        await report(live.person(), "astana")
        await live.services.database.execute(
            "UPDATE reports SET created_at = '2020-01-01T00:00:00+00:00'"
        )
        await live.deliver()
        header = next(m for m in fake_api.messages_in(group) if "📬" in (m.plain_text or ""))
        with live.services.i18n.context(), live.services.i18n.use_locale("kk"):
            expected = _("Due within two days: {due}. Overdue: {overdue}.").format(due=0, overdue=1)
        assert expected in (header.plain_text or ""), "the digest flags the overdue case"
        assert await live.services.digests.remind() == 1
        mark = fake_api.mark()
        await live.sender.drain(within=2)
        reminder = await fake_api.next_reply(group, after=mark)
        assert "⏰" in (reminder.plain_text or "") and "№ 1" in reminder.plain_text


async def test_admins_read_the_audit_log_naming_officers_without_reporter_traces(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person(first_name="Невидимка", username="nobody_sees")
    await report(person, "astana")
    await live.deliver()
    case = case_id_of(cards(fake_api, group)[0])
    officer = await live.officer("astana", first_name="Ерлан", username="erlan_officer")
    await press_in(fake_api, officer, group, data("acc", case))
    await press_in(fake_api, officer, group, data("cls", case))
    mark = fake_api.mark()
    fake_api.send_command(live.admin, "/audit 1")
    audit = (await fake_api.next_reply(live.admin, after=mark)).plain_text or ""
    with live.services.i18n.context(), live.services.i18n.use_locale("ru"):
        accepted, read = _("case accepted"), _("opened the case")
    assert accepted in audit and read in audit
    for needle in ("Ерлан", "@erlan_officer", f"id {officer.id}"):
        assert needle in audit, "officers answer for what they do: /audit names them"
    for needle in ("Невидимка", "nobody_sees", str(person.user.id)):
        assert needle not in audit


async def test_admins_rename_departments_and_unlink_a_region(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    for command in ("/rename astana ru Департамент службы по г. Астана", "/unlink astana"):
        mark = fake_api.mark()
        fake_api.send_command(live.admin, command)
        await fake_api.next_reply(live.admin, after=mark)
    department = await live.services.departments.department("astana")
    assert department is not None and department.name("ru") == "Департамент службы по г. Астана"
    assert await live.services.departments.regions_of(group.id) == set()
