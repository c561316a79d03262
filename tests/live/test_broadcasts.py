"""Subscribers and admins' broadcasts, in process against the fake Bot API server."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import SendMessage
from aiogram.utils.i18n import gettext

from bot.app import publish_profile
from bot.broadcasts import runner as broadcast_runner
from bot.broadcasts import views as broadcast_views
from bot.broadcasts.content import Content, Version
from bot.broadcasts.runner import Pacer
from bot.broadcasts.service import Request, Tally
from bot.broadcasts.views import NO_REGION
from bot.core.catalog import Catalog
from bot.telegram.i18n import create_i18n
from bot.ui.context import ViewContext
from storage.broadcasts import BroadcastRow, BroadcastStatus
from storage.subscribers import Audience, SubscribersRepository, SubscriberStatus
from tests.fakeapi import FakeBotAPI, FakeUser, SentMessage
from tests.support.broadcasting import broadcast_now, compose, send_and_wait, subscribe, wait_status
from tests.support.flows import cards, case_id_of, close, data, press_in, report
from tests.support.live import ADMIN_ID, Live
from tests.support.people import Person

KK_TEXT = "Сыбайлас жемқорлық туралы хабарлаңыз"
RU_TEXT = "Сообщайте о коррупции"
I18N = create_i18n("kk")
CATALOG = Catalog.load()
FULL_BAR = "▰" * 10 + " 100%"


def received(api: FakeBotAPI, user: FakeUser, marker: str) -> list[SentMessage]:
    return [m for m in api.messages_in(user) if marker in (m.plain_text or "")]


async def stale_answer(api: FakeBotAPI, user: FakeUser, data: str) -> str:
    """Press forged or stale ``data`` under the user's newest bot message; the toast text."""
    query = api.press_forged(user, data, api.messages_in(user)[-1])
    return (await api.answer_to(query)).get("text", "")


async def test_start_subscribes_and_news_toggles(live: Live, fake_api: FakeBotAPI) -> None:
    person = live.person("kk", first_name="Ерлан", username="erlan_secret")
    await person.command("/start", button="do:new")
    subscriber = await live.services.subscribers.get(person.user.id)
    assert subscriber is not None
    assert subscriber.status is SubscriberStatus.ACTIVE
    assert subscriber.locale == "kk"

    off = await person.command("/news")
    assert "/news" in (off.plain_text or "") and not off.buttons
    assert (await live.services.subscribers.get(person.user.id)).status is SubscriberStatus.OFF
    await person.command("/start", button="do:new")
    assert (await live.services.subscribers.get(person.user.id)).status is SubscriberStatus.OFF

    on = await person.command("/news", button="nr:abai")
    assert any(b["callback_data"] == f"nr:{NO_REGION}" for b in on.buttons)
    await person.press("nr:abai", expect="")
    subscriber = await live.services.subscribers.get(person.user.id)
    assert subscriber.status is SubscriberStatus.ACTIVE
    assert subscriber.region == "abai"
    await person.command("/news")
    await person.command("/news", button="nr:abai")
    await person.press(f"nr:{NO_REGION}", expect="")
    assert (await live.services.subscribers.get(person.user.id)).region is None

    assert await stale_answer(fake_api, person.user, "nr:atlantis")
    assert (await live.services.subscribers.get(person.user.id)).region is None

    await person.command("/news")
    with live.services.i18n.context(), live.services.i18n.use_locale("kk"):
        turn_on_first = gettext("Turn news on first: send /news.")
    assert await stale_answer(fake_api, person.user, "nr:abai") == turn_on_first
    subscriber = await live.services.subscribers.get(person.user.id)
    assert (subscriber.status, subscriber.region) == (SubscriberStatus.OFF, None)


async def test_language_change_follows_the_subscriber(live: Live) -> None:
    [user] = await subscribe(live, "ru")
    person = Person(live.api, user)
    await person.command("/language", button="lang:kk")
    await person.press("lang:kk", button="do:new")
    assert (await live.services.subscribers.get(user.id)).locale == "kk"


@pytest.mark.sqlite_only  # reads the SQLite file itself
async def test_subscriber_rows_hold_no_identity_and_no_link_to_reports(
    live: Live, fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    person = live.person("ru", first_name="Айгерим", username="aigerim_secret")
    await person.command("/start", button="do:new")
    await person.command("/language", button="lang:kk")
    await person.press("lang:kk", button="do:new")
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    await report(person, "astana", contact=True)
    await live.deliver()
    case = case_id_of(cards(fake_api, group)[0])
    officer = await live.officer("astana")
    await press_in(fake_api, officer, group, data("acc", case))
    await close(fake_api, officer, group, case)
    database = tmp_path / "data" / "adal.sqlite3"
    with closing(sqlite3.connect(database)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(subscribers)")]
        assert columns == ["id", "chat_key", "chat_ref", "locale", "region", "status", "since"]
        [(key, ref, since)] = conn.execute("SELECT chat_key, chat_ref, since FROM subscribers")
        other_keys = {bytes(row[0]) for row in conn.execute("SELECT user_key FROM user_prefs")}
        other_keys |= {bytes(row[0]) for row in conn.execute("SELECT key FROM fsm")}
        notices = conn.execute("SELECT chat_key FROM outbox WHERE kind = 'notice'").fetchall()
    assert len(notices) == 2, "accepted, closed"
    assert datetime.strptime(since, "%Y-%m-%d")  # a day, nothing finer
    assert other_keys and bytes(key) not in other_keys
    for (contact_key,) in notices:
        assert bytes(contact_key) != live.services.chats.key(person.user.id), "one-time address"
        assert bytes(key) != bytes(contact_key)
    assert str(person.user.id).encode() not in bytes(ref)
    raw = b"".join(path.read_bytes() for path in database.parent.iterdir())
    for secret in (str(person.user.id), "aigerim_secret", "Айгерим"):
        assert secret.encode() not in raw


async def test_broadcast_reaches_each_subscriber_once_in_their_language(
    live: Live, fake_api: FakeBotAPI
) -> None:
    kk_users = await subscribe(live, "kk", 3)
    ru_users = await subscribe(live, "ru", 2)
    quiet = live.person("ru")
    await quiet.command("/start", button="do:new")
    await quiet.command("/news")
    bold = {"type": "bold", "offset": 0, "length": 8}

    admin = Person(fake_api, live.admin)
    await admin.command("/broadcast", button="bd:own:")
    await admin.press("bd:own:", expect="/skip")
    mark = fake_api.mark()
    fake_api.send_text(live.admin, KK_TEXT, entities=[bold])
    await fake_api.next_reply(live.admin, after=mark, where=lambda m: "/skip" in m.plain_text)
    await admin.say(RU_TEXT, button="bd:aud:all")
    review = await admin.press("bd:aud:all", button="bd:send:")
    previews = [m for m in fake_api.messages_in(live.admin) if m.plain_text in (KK_TEXT, RU_TEXT)]
    assert [m.plain_text for m in previews] == [KK_TEXT, RU_TEXT]
    assert previews[0].text == f"<b>{KK_TEXT[:8]}</b>{KK_TEXT[8:]}"
    assert "5" in (review.plain_text or ""), "the review counts the 5 active subscribers"

    _id, progress = await send_and_wait(live, admin)

    for user in kk_users:
        [message] = received(fake_api, user, KK_TEXT)
        assert message.text == previews[0].text
        assert not received(fake_api, user, RU_TEXT)
    for user in ru_users:
        assert len(received(fake_api, user, RU_TEXT)) == 1
        assert not received(fake_api, user, KK_TEXT)
    assert not received(fake_api, quiet.user, RU_TEXT)
    final = fake_api.messages_in(live.admin)[-1]
    assert final.message_id == progress.message_id
    assert "5" in (final.plain_text or "") and "100%" in (final.plain_text or "")
    assert not final.buttons


async def test_missing_language_falls_back_and_audiences_filter(
    live: Live, fake_api: FakeBotAPI
) -> None:
    [kk_user] = await subscribe(live, "kk")
    [ru_user] = await subscribe(live, "ru")
    [abai_user] = await subscribe(live, "ru")
    await Person(fake_api, abai_user).command("/news")
    await Person(fake_api, abai_user).command("/news", button="nr:abai")
    await Person(fake_api, abai_user).press("nr:abai", expect="")

    await broadcast_now(live, None, "only-ru")
    assert len(received(fake_api, kk_user, "only-ru")) == 1

    await broadcast_now(live, "kk-only-audience", "kk-only-audience", "locale.kk")
    assert received(fake_api, kk_user, "kk-only-audience")
    assert not received(fake_api, ru_user, "kk-only-audience")

    await broadcast_now(live, "abai-news", "abai-news", "region.abai")
    assert received(fake_api, abai_user, "abai-news")
    assert not received(fake_api, ru_user, "abai-news")
    assert not received(fake_api, kk_user, "abai-news")


async def test_template_is_filled_in_both_languages_with_the_hotline(
    live: Live, fake_api: FakeBotAPI
) -> None:
    [kk_user] = await subscribe(live, "kk")
    [ru_user] = await subscribe(live, "ru")
    admin = Person(fake_api, live.admin)
    await admin.command("/broadcast", button="bd:tpl:hotline")
    await admin.press("bd:tpl:hotline", button="bd:aud:all")
    await admin.press("bd:aud:all", button="bd:send:")
    await send_and_wait(live, admin)
    [kk_message] = received(fake_api, kk_user, "eOtinish")
    [ru_message] = received(fake_api, ru_user, "eOtinish")
    assert "1424" in kk_message.plain_text and "1424" in ru_message.plain_text
    assert kk_message.plain_text != ru_message.plain_text


async def test_editing_a_template_version_before_sending(live: Live, fake_api: FakeBotAPI) -> None:
    [kk_user] = await subscribe(live, "kk")
    admin = Person(fake_api, live.admin)
    await admin.command("/broadcast", button="bd:tpl:false")
    await admin.press("bd:tpl:false", button="bd:aud:all")
    await admin.press("bd:aud:all", button="bd:edit:kk")
    await admin.press("bd:edit:kk", expect="/skip")
    await admin.say("edited-kk-version", button="bd:send:")
    await send_and_wait(live, admin)
    assert len(received(fake_api, kk_user, "edited-kk-version")) == 1


async def test_photo_version_and_bad_input(live: Live, fake_api: FakeBotAPI) -> None:
    [ru_user] = await subscribe(live, "ru")
    admin = Person(fake_api, live.admin)
    await admin.command("/broadcast", button="bd:own:")
    await admin.press("bd:own:", expect="/skip")
    mark = fake_api.mark()
    fake_api.send_sticker(live.admin)
    refusal = await fake_api.next_reply(live.admin, after=mark)
    assert "/skip" not in (refusal.plain_text or "")
    mark = fake_api.mark()
    fake_api.send_photo(live.admin, b"\x89PNG fake", caption="x" * 1025)
    too_long = await fake_api.next_reply(live.admin, after=mark)
    assert "1" in (too_long.plain_text or "") and "024" in (too_long.plain_text or "")
    await admin.say("/skip", expect="/skip")
    mark = fake_api.mark()
    fake_api.send_photo(live.admin, b"\x89PNG fake", caption="photo-caption")
    await fake_api.next_reply(live.admin, after=mark, where=lambda m: bool(m.buttons))
    await admin.press("bd:aud:all", button="bd:send:")
    await send_and_wait(live, admin)
    [photo] = received(fake_api, ru_user, "photo-caption")
    assert photo.kind == "photo"


async def test_document_versions_go_out_as_documents_like_their_previews(
    live: Live, fake_api: FakeBotAPI
) -> None:
    [kk_user] = await subscribe(live, "kk")
    [ru_user] = await subscribe(live, "ru")
    admin = Person(fake_api, live.admin)
    await admin.command("/broadcast", button="bd:own:")
    await admin.press("bd:own:", expect="/skip")
    mark = fake_api.mark()
    fake_api.send_document(live.admin, b"%PDF-1.4 kk", "zhadnama.pdf", caption="kk-doc-caption")
    await fake_api.next_reply(
        live.admin, after=mark, where=lambda m: "/skip" in (m.plain_text or "")
    )
    mark = fake_api.mark()
    fake_api.send_document(live.admin, b"%PDF-1.4 ru", "pamyatka.pdf", caption="ru-doc-caption")
    await fake_api.next_reply(live.admin, after=mark, where=lambda m: bool(m.buttons))
    await admin.press("bd:aud:all", button="bd:send:")
    previews = {m.plain_text: m for m in fake_api.messages_in(live.admin) if m.kind == "document"}
    assert set(previews) == {"kk-doc-caption", "ru-doc-caption"}
    mark = fake_api.mark()
    await send_and_wait(live, admin)

    for user, caption, other in (
        (kk_user, "kk-doc-caption", "ru-doc-caption"),
        (ru_user, "ru-doc-caption", "kk-doc-caption"),
    ):
        [message] = received(fake_api, user, caption)
        preview = previews[caption]
        assert (message.kind, message.caption, message.file_id) == (
            "document",
            preview.caption,
            preview.file_id,
        )
        assert message.raw["document"] == preview.raw["document"]
        assert not received(fake_api, user, other)
    documents = fake_api.calls("sendDocument", after=mark)
    assert sorted(int(r.params["chat_id"]) for r in documents) == sorted([kk_user.id, ru_user.id])


SENDING_ROW = BroadcastRow(
    id=7,
    status=BroadcastStatus.SENDING,
    audience=Audience().pack(),
    content=b"",
    admin_ref=b"",
    admin_locale="ru",
    progress_message_id=1,
    created_at="2030-01-01T00:00:00+00:00",
    scheduled_at=0.0,
    started_at=0.0,
    finished_at=None,
    total=3000,
)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "kk",
            [
                "📣 <b>№ 7 таратылым</b> · барлық жазылушылар",
                "⏳ Жіберілуде…",
                "▰▰▰▰▱▱▱▱▱▱ 40%",
                "Жіберілді: 1\xa0000 · бұғаттағандар: 120 · қате: 80 · қалды: 1\xa0800",
                "Қалған уақыт (шамамен): 2 минут",
            ],
        ),
        (
            "ru",
            [
                "📣 <b>Рассылка № 7</b> · все подписчики",
                "⏳ Отправляется…",
                "▰▰▰▰▱▱▱▱▱▱ 40%",
                "Отправлено: 1\xa0000 · заблокировали: 120 · ошибки: 80 · осталось: 1\xa0800",
                "Осталось примерно 2 минуты",
            ],
        ),
    ],
)
def test_progress_shows_bar_counts_and_time_left(locale: str, expected: list[str]) -> None:
    """1,800 left at 20 a second: 90 seconds, which reads as about 2 minutes."""
    tally = Tally(total=3000, sent=1000, blocked=120, failed=80)
    ctx = ViewContext(CATALOG, locale, ZoneInfo("Asia/Almaty"))
    with I18N.context(), I18N.use_locale(locale):
        text = broadcast_views.progress(SENDING_ROW, tally, 20, ctx)
    assert text.splitlines() == expected


@pytest.mark.parametrize(
    ("locale", "counting"), [("kk", "Жазылушылар саналып жатыр…"), ("ru", "Подсчёт получателей…")]
)
def test_progress_before_the_runner_counted_says_so(locale: str, counting: str) -> None:
    """Send now shows the progress at once, before the runner has counted the audience."""
    row = dataclasses.replace(SENDING_ROW, started_at=None, total=0)
    ctx = ViewContext(CATALOG, locale, ZoneInfo("Asia/Almaty"))
    with I18N.context(), I18N.use_locale(locale):
        text = broadcast_views.progress(row, Tally(total=0), 20, ctx)
    assert text.splitlines()[2:] == [counting]


async def test_progress_message_from_start_to_finish_in_the_admin_language(
    live: Live, fake_api: FakeBotAPI
) -> None:
    users = await seed_subscribers(live, fake_api, 3)
    fake_api.block(users[0])
    mark = fake_api.mark()
    broadcast_id = await live.services.broadcasts.create(
        Request(Content({"ru": Version("kk-admin-news")}), Audience(), ADMIN_ID, ADMIN_ID, "kk")
    )
    await wait_status(live, broadcast_id, BroadcastStatus.DONE)
    final = await fake_api.next_reply(live.admin, after=mark, where=lambda m: not m.buttons)

    [first] = [
        r for r in fake_api.calls("sendMessage", after=mark) if r.params["chat_id"] == ADMIN_ID
    ]
    assert first.params["text"].splitlines()[1:] == [
        "⏳ Жіберілуде…",
        "▱" * 10 + " 0%",
        "Жіберілді: 0 · бұғаттағандар: 0 · қате: 0 · қалды: 3",
        "Қалған уақыт (шамамен): 1 секунд",
    ]
    assert final.message_id == first.result["message_id"]
    assert (final.plain_text or "").splitlines()[1:] == [
        "✅ Аяқталды",
        FULL_BAR,
        "Жіберілді: 2 · бұғаттағандар: 1 · қате: 0 · қалды: 0",
    ]


async def test_final_counts_in_the_progress_message_and_in_the_list(
    live: Live, fake_api: FakeBotAPI
) -> None:
    users = await seed_subscribers(live, fake_api, 6)
    fake_api.block(users[0])
    fake_api.block(users[1])
    fake_api.fail_next("sendMessage", 400, chat=users[2])
    admin = Person(fake_api, live.admin)
    await compose(admin, None, "counted-news", "all")
    first_id, progress = await send_and_wait(live, admin)
    [final] = [m for m in fake_api.messages_in(live.admin) if m.message_id == progress.message_id]
    assert (final.plain_text or "").splitlines()[1:] == [
        "✅ Завершена",
        FULL_BAR,
        "Отправлено: 3 · заблокировали: 2 · ошибки: 1 · осталось: 0",
    ]
    second_id = await broadcast_now(live, None, "counted-again")

    listing = await admin.command("/broadcasts", expect="№")
    entries = {
        entry.split(",", 1)[0]: entry for entry in (listing.plain_text or "").split("\n\n")[1:]
    }
    assert set(entries) == {f"№ {first_id}", f"№ {second_id}"}
    assert entries[f"№ {first_id}"].endswith("Отправлено: 3 · заблокировали: 2 · ошибки: 1")
    assert entries[f"№ {second_id}"].endswith("Отправлено: 4 · заблокировали: 0 · ошибки: 0")


async def test_blocked_subscribers_are_marked_and_5xx_retried(
    live: Live, fake_api: FakeBotAPI
) -> None:
    users = await subscribe(live, "ru", 4)
    fake_api.block(users[0])
    fake_api.fail_next("sendMessage", 500, chat=users[1], count=1)
    broadcast_id = await broadcast_now(live, None, "retry-news")
    assert not received(fake_api, users[0], "retry-news")
    for user in users[1:]:
        assert len(received(fake_api, user, "retry-news")) == 1
    assert (await live.services.subscribers.get(users[0].id)).status is SubscriberStatus.BLOCKED
    row = await live.services.broadcasts.get(broadcast_id)
    tally = await live.services.broadcasts.tally(row)
    assert (tally.sent, tally.blocked, tally.failed) == (3, 1, 0)
    mark = fake_api.mark()
    await broadcast_now(live, None, "second-news")
    assert users[0].id not in {
        r.params["chat_id"] for r in fake_api.calls("sendMessage", after=mark)
    }


async def test_retry_after_pauses_the_whole_broadcast(live: Live, fake_api: FakeBotAPI) -> None:
    users = await subscribe(live, "ru", 6)
    fake_api.fail_next("sendMessage", 429, retry_after=2, chat=users[2])
    mark = fake_api.mark()
    await broadcast_now(live, None, "paced-news")
    for user in users:
        assert len(received(fake_api, user, "paced-news")) == 1
    sends = [
        r for r in fake_api.calls("sendMessage", after=mark) if "paced-news" in r.params["text"]
    ]
    refused = next(r for r in sends if r.status == 429)
    gaps = [r.time - refused.time for r in sends if r.index > refused.index]
    assert any(gap >= 1.9 for gap in gaps)
    assert all(gap < 0.1 or gap >= 1.9 for gap in gaps), "nothing is sent during the pause"


async def test_pause_resume_and_cancel(live: Live, fake_api: FakeBotAPI) -> None:
    users = await seed_subscribers(live, fake_api, 60)
    admin = Person(fake_api, live.admin)
    await compose(admin, None, "steered-news", "all")
    progress = await admin.press("bd:send:", button="bc:pause:1")
    await asyncio.sleep(0.5)
    await admin.press("bc:pause:1", button="bc:resume:1")
    await wait_status(live, 1, BroadcastStatus.PAUSED)
    await asyncio.sleep(0.3)
    count = sum(bool(received(fake_api, user, "steered-news")) for user in users)
    await asyncio.sleep(1.0)
    assert sum(bool(received(fake_api, user, "steered-news")) for user in users) == count
    assert 0 < count < len(users)
    await admin.press("bc:resume:1", button="bc:pause:1")
    await wait_status(live, 1, BroadcastStatus.DONE)
    assert all(len(received(fake_api, user, "steered-news")) == 1 for user in users)
    assert progress.message_id == fake_api.messages_in(live.admin)[-1].message_id

    await compose(admin, None, "cancelled-news", "all")
    await admin.press("bd:send:", button="bc:cancel:2")
    await asyncio.sleep(0.3)
    await admin.press("bc:cancel:2", expect="")
    await wait_status(live, 2, BroadcastStatus.CANCELLED)
    await asyncio.sleep(0.5)
    count = sum(bool(received(fake_api, user, "cancelled-news")) for user in users)
    await asyncio.sleep(0.5)
    assert sum(bool(received(fake_api, user, "cancelled-news")) for user in users) == count
    assert count < len(users)
    assert await stale_answer(fake_api, live.admin, "bc:resume:2")
    assert (await live.services.broadcasts.get(2)).status is BroadcastStatus.CANCELLED


async def test_send_now_shows_sending_with_its_controls_at_once(
    live: Live, fake_api: FakeBotAPI
) -> None:
    """Not «scheduled for» this minute, however fast the handler is beside the runner."""
    await seed_subscribers(live, fake_api, 3)
    admin = Person(fake_api, live.admin)
    await compose(admin, None, "now-news", "all")
    mark = fake_api.mark()
    fake_api.press(live.admin, "bd:send:")
    first = await fake_api.next_reply(live.admin, after=mark)
    assert "bc:pause:1" in [button.get("callback_data") for button in first.buttons]
    assert "Запланирована" not in (first.plain_text or "")


async def seed_subscribers(live: Live, api: FakeBotAPI, count: int) -> list[FakeUser]:
    """Subscribers written through the service directly: quicker than a /start each."""
    users = [api.make_user(language_code="ru") for _ in range(count)]
    for user in users:
        await live.services.subscribers.join(user.id, "ru")
    return users


async def test_recipients_are_read_a_page_at_a_time(
    live: Live, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(broadcast_runner, "PAGE", 10)
    users = await seed_subscribers(live, fake_api, 25)
    limits: list[int] = []
    page = SubscribersRepository.page

    async def spy(self: SubscribersRepository, audience: Audience, after: int, limit: int) -> list:
        rows = await page(self, audience, after, limit)
        limits.append(len(rows))
        return rows

    monkeypatch.setattr(SubscribersRepository, "page", spy)
    broadcast_id = await live.services.broadcasts.create(
        Request(Content({"ru": Version("paged-news")}), Audience(), ADMIN_ID, ADMIN_ID, "ru")
    )
    await wait_status(live, broadcast_id, BroadcastStatus.DONE, timeout=60)
    assert limits == [10, 10, 5, 0]
    assert all(len(received(fake_api, user, "paged-news")) == 1 for user in users)


async def test_scheduling_through_the_dialog(live: Live, fake_api: FakeBotAPI) -> None:
    await subscribe(live, "ru")
    admin = Person(fake_api, live.admin)
    await compose(admin, None, "scheduled-news", "all")
    await admin.press("bd:sch:", expect="10:00")
    past = await admin.say("01.01.2020 10:00")
    unreadable = await admin.say("tomorrow morning")
    assert unreadable.plain_text != past.plain_text
    assert await live.services.broadcasts.recent() == []
    zone = live.services.settings.tz
    moment = (datetime.now(zone) + timedelta(days=2)).replace(second=0, microsecond=0)
    confirmation = await admin.say(moment.strftime("%d.%m.%Y %H:%M"), expect="№")
    row = (await live.services.broadcasts.recent())[0]
    assert row.status is BroadcastStatus.SCHEDULED
    assert row.scheduled_at == moment.timestamp()
    assert str(moment.year) in (confirmation.plain_text or "")
    listing = await admin.command("/broadcasts", button=f"bc:cancel:{row.id}")
    assert f"№ {row.id}" in (listing.plain_text or "")
    await admin.press(f"bc:cancel:{row.id}", expect="")
    assert (await live.services.broadcasts.get(row.id)).status is BroadcastStatus.CANCELLED


ADMIN_COMMANDS = [
    "/broadcast",
    "/broadcasts",
    "/stats",
    "/export",
    "/invite astana",
    "/departments",
    "/audit",
    "/audit 1",
    "/rename astana ru Департамент",
]


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_non_admins_get_the_ordinary_answer(
    live: Live, fake_api: FakeBotAPI, command: str
) -> None:
    person = live.person("ru")
    unknown = await person.command("/definitely_unknown")
    reply = await person.command(command)
    assert reply.plain_text == unknown.plain_text
    stale = await stale_answer(fake_api, person.user, "zz:unknown")
    assert await stale_answer(fake_api, person.user, "bc:cancel:1") == stale
    assert await stale_answer(fake_api, person.user, "bd:send:") == stale


async def test_pacer_spaces_requests_and_pauses_all() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(rate=10, clock=lambda: now[0], sleep=sleep)
    slots = []
    for _ in range(3):
        await pacer.slot()
        slots.append(now[0])
    pacer.pause(1.0)
    await pacer.slot()
    slots.append(now[0])
    await pacer.slot()
    slots.append(now[0])
    assert slots == pytest.approx([0.0, 0.1, 0.2, 1.2, 1.3])


async def test_pacer_keeps_its_spacing_when_requests_oversleep_together() -> None:
    """Eight senders wait for slots on a loaded machine whose timers fire only every half
    second, so sleepers wake together: they must still leave ``1 / rate`` apart."""
    now = [0.0]

    async def late_sleep(seconds: float) -> None:
        target = now[0] + seconds
        await asyncio.sleep(0)
        now[0] = max(now[0], math.ceil(target / 0.5) * 0.5)

    pacer = Pacer(rate=10, clock=lambda: now[0], sleep=late_sleep)
    granted: list[float] = []

    async def sender() -> None:
        for _ in range(5):
            await pacer.slot()
            granted.append(now[0])

    await asyncio.gather(*(sender() for _ in range(8)))
    gaps = [later - earlier for earlier, later in pairwise(granted)]
    assert len(granted) == 40
    assert min(gaps) >= 0.1 - 1e-9, sorted(gaps)[:5]


async def test_admins_get_their_own_command_menu(live: Live, fake_api: FakeBotAPI) -> None:
    await publish_profile(live.bot, live.services)
    menus = {
        scope: [c["command"] for c in commands]
        for (scope, _lang), commands in fake_api.commands.items()
    }
    admin_menu = next(menu for scope, menu in menus.items() if str(ADMIN_ID) in scope)
    assert {"broadcast", "broadcasts", "stats", "export", "report"} <= set(admin_menu)
    public = [menu for scope, menu in menus.items() if str(ADMIN_ID) not in scope]
    assert public and all("broadcast" not in menu for menu in public)


async def test_broadcasts_are_in_the_audit_log_by_the_admins_id(
    live: Live, fake_api: FakeBotAPI
) -> None:
    """Admins answer for what they send too: the audit names them by their id (from ADMIN_IDS;
    the database holds only the keyed hash)."""
    await subscribe(live, "ru")
    await broadcast_now(live, None, "audited-news")
    admin = Person(fake_api, live.admin)
    log = await admin.command("/audit", expect="№ 1")
    assert "рассылка № 1, получатели: все подписчики" in (log.plain_text or ""), "in Russian"
    assert f"id {ADMIN_ID}" in (log.plain_text or "")
    row = await live.services.database.fetchone("SELECT actor FROM audit")
    assert str(ADMIN_ID).encode() not in bytes(row["actor"])


async def test_network_errors_are_retried_then_given_up(
    live: Live, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake server cannot drop a connection, so the bot's session fails instead."""
    monkeypatch.setattr(broadcast_runner, "NETWORK_BACKOFF", 0.01)
    [flaky, dead] = await seed_subscribers(live, fake_api, 2)
    send = live.bot.send_message
    failures = {flaky.id: 2, dead.id: 99}

    async def unreliable(chat_id: int, text: str, **kwargs: object) -> object:
        if failures.get(chat_id, 0) > 0:
            failures[chat_id] -= 1
            raise TelegramNetworkError(method=SendMessage(chat_id=chat_id, text=text), message="x")
        return await send(chat_id, text, **kwargs)

    monkeypatch.setattr(live.bot, "send_message", unreliable)
    broadcast_id = await live.services.broadcasts.create(
        Request(Content({"ru": Version("flaky-news")}), Audience(), ADMIN_ID, ADMIN_ID, "ru")
    )
    await wait_status(live, broadcast_id, BroadcastStatus.DONE)
    assert len(received(fake_api, flaky, "flaky-news")) == 1
    assert not received(fake_api, dead, "flaky-news")
    tally = await live.services.broadcasts.tally(await live.services.broadcasts.get(broadcast_id))
    assert (tally.sent, tally.failed) == (1, 1)
    assert failures == {flaky.id: 0, dead.id: 99 - broadcast_runner.NETWORK_ATTEMPTS}
