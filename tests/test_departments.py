"""Departments: linking chats, digests routed by region, officers' buttons, delivery faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.botprocess import Person
from tests.fakeapi import FakeBotAPI, SentMessage
from tests.live import ADMIN_ID, Live, live_bot

BODY = "Начальник отдела акимата требует 200 000 тенге за выдачу разрешения на строительство."


@pytest.fixture
async def live(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Live]:
    async for running in live_bot(fake_api, tmp_path):
        yield running


async def report(person: Person, region: str, *, body: str = BODY, contact: bool = False,
                 photo: bytes | None = None) -> str:
    """A citizen files a report in ``region``; returns the receipt message text."""
    await person.command("/report", button="rg:abai")
    await person.press(f"rg:{region}", button="sp:akimat")
    await person.press("sp:akimat", button="wh:week")
    await person.press("wh:week", button="do:skip")
    await person.press("do:skip", button="do:back")
    await person.say(body, button="do:done")
    await person.press("do:done", button="do:skip")
    if photo is not None:
        await person.photo(photo)
        await person.press("do:done", button="do:cyes")
    else:
        await person.press("do:skip", button="do:cyes")
    await person.press("do:cyes" if contact else "do:cno", button="do:submit")
    receipt = await person.press("do:submit", expect="-")
    return receipt.plain_text or ""


def cards(api: FakeBotAPI, chat: object) -> list[SentMessage]:
    return [m for m in api.messages_in(chat) if "№" in (m.plain_text or "")]


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
    for _ in range(6):
        await live.sender.drain(within=3)
        live.services.outbox_ready.clear()
        if all(f"A{i}" in " ".join(m.plain_text or "" for m in cards(fake_api, astana))
               for i in range(3)):
            break

    texts = [m.plain_text or "" for m in cards(fake_api, astana)]
    for index in range(3):
        assert sum(f"A{index}" in text for text in texts) == 1, texts
    assert cards(fake_api, abai) == []
    alerts = [m.plain_text or "" for m in fake_api.messages_in(live.admin)]
    assert sum("⚠️" in text and "abai" in text for text in alerts) == 1
    row = await live.services.database.fetchone(
        "SELECT status FROM reports WHERE region = 'abai'"
    )
    assert row[0] == "new", "the unreachable department's case stays pending"
