"""What admins read, in Kazakh and Russian: /departments, /audit, scheduling, /broadcasts and
/stats, through the fake Bot API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.core.catalog import Catalog
from bot.ui.keyboards import LANGUAGE_NAMES
from bot.ui.labels import resolution_labels
from storage.broadcasts import BroadcastStatus
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser
from tests.support.broadcasting import broadcast_now, compose, subscribe, wait_status
from tests.support.flows import cards, case_id_of, close, data, press_in, report
from tests.support.live import ADMIN_ID, Live
from tests.support.people import Person

CATALOG = Catalog.load()
LOCALES = ["kk", "ru"]
CODE = re.compile(r"\b[a-z]+(_[a-z]+)*\b")
"""A word of Latin lower case: a region code, or an English action name leaking through."""


def admin_in(live: Live, locale: str) -> Person:
    """The admin, with Telegram set to ``locale``."""
    user = live.api.make_user(id=ADMIN_ID, first_name="Admin", language_code=locale)
    live.admin = user
    return Person(live.api, user)


def tr(live: Live, locale: str, message: str, **values: object) -> str:
    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        text = _(message)
    return text.format(**values) if values else text


def name(code: str, locale: str) -> str:
    entry = CATALOG.region(code)
    assert entry is not None
    return entry.name(locale)


def untagged(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def latin_words(text: str) -> set[str]:
    """Latin words outside commands, codes of /join and the names of people."""
    text = re.sub(r"/\w+", "", text)
    return {match.group(0) for match in CODE.finditer(text)}


async def backdate(live: Live, case_no: int, days: int) -> None:
    moment = (datetime.now(UTC) - timedelta(days=days)).isoformat()
    await live.services.database.execute(
        "UPDATE reports SET created_at = ? WHERE case_no = ?", (moment, case_no)
    )


async def reply_to(live: Live, user: FakeUser, command: str, chat: FakeChat | None = None) -> str:
    """All the bot's messages answering ``command``, joined, once it has been quiet."""
    mark = live.api.mark()
    live.api.send_command(user, command, chat=chat)
    first = await live.api.next_reply(chat or user, after=mark)
    rest = [
        m.plain_text or ""
        for m in live.api.messages_in(chat or user)
        if m.message_id > first.message_id
    ]
    return "\n".join([first.plain_text or "", *rest])


@pytest.mark.parametrize("locale", LOCALES)
async def test_departments_put_problems_first_and_name_regions(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    astana, abai, almaty = (fake_api.make_group(title=code) for code in ("a", "b", "c"))
    await live.link("astana", astana)
    await live.link("abai", abai)
    await live.link("almaty_city", almaty)
    person = live.person()
    await report(person, "astana")  # № 1: delivered, in time
    await report(person, "almaty_city")  # № 2: delivered, then overdue
    await report(person, "shymkent")  # № 3: no chat, goes to the admins
    await live.deliver()
    await backdate(live, 2, days=30)
    fake_api.block(abai)
    await report(person, "abai")  # № 4: the chat refuses it; waiting for two days
    await live.deliver()
    await backdate(live, 4, days=2)
    admin = admin_in(live, locale)

    text = await reply_to(live, admin.user, "/departments")

    lines = text.splitlines()
    assert lines[0] == tr(live, locale, "<b>Departments</b>").strip("<b>/")
    assert lines[1] == untagged(tr(live, locale, "⚠️ <b>Need attention: {count}</b>", count=20 - 1))
    refusing = tr(live, locale, "chats refusing the bot's messages: {count}", count=1)
    late = tr(live, locale, "cases not delivered for over a day: {count}", count=1)
    overdue = tr(live, locale, "overdue: {count}", count=1)
    no_chat = tr(live, locale, "no linked chat: its reports go to the admins")
    assert lines[2].startswith(f"⚠️ {name('abai', locale)}: {refusing}; {late} (")
    assert lines[3].startswith(f"⚠️ {name('almaty_city', locale)}: {overdue} (")
    assert lines[4].startswith(f"⚠️ {name('shymkent', locale)}: {no_chat} (")
    idle = lines[5]
    assert idle.startswith("⚠️ ") and name("turkistan", locale) in idle
    assert name("shymkent", locale) not in idle and name("astana", locale) not in idle
    assert lines[6] == untagged(tr(live, locale, "✅ <b>In order: {count}</b>", count=1))
    assert lines[7].startswith(f"• {name('astana', locale)}: ")
    assert "⚠️" not in lines[7], "a region in order carries no warning"
    assert tr(live, locale, "open: {count}", count=1) in lines[7]
    assert len(lines) == 9
    assert latin_words(text) == set(), "no region code, no English"

    fake_api.unblock(abai)  # the bot is back in the group: the next delivery clears the mark
    await live.services.database.execute("UPDATE outbox SET next_attempt = 0")
    await live.deliver()
    overview = await live.services.departments.overview(datetime.now(UTC))
    [abai_now] = [status for status in overview if status.department.region == "abai"]
    assert abai_now.refusing == 0 and abai_now.undelivered == 0


@pytest.mark.parametrize("locale", LOCALES)
async def test_invite_without_a_region_lists_the_codes_with_names(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    admin = admin_in(live, locale)
    usage = await reply_to(live, admin.user, "/invite")
    assert f"abai — {name('abai', locale)}" in usage
    assert f"almaty_city — {name('almaty_city', locale)}" in usage
    invite = await reply_to(live, admin.user, "/invite shymkent")
    assert name("shymkent", locale) in invite and "shymkent" not in invite.split("/join")[0]


@pytest.mark.parametrize("locale", LOCALES)
async def test_audit_speaks_the_admins_language(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    await report(live.person(), "astana")
    await live.deliver()
    case = case_id_of(cards(fake_api, group)[0])
    officer = await live.officer("astana", first_name="Ерлан")
    await press_in(fake_api, officer, group, data("acc", case))
    await close(fake_api, officer, group, case)
    await subscribe(live, "kk")
    await broadcast_now(live, "жаңалық", None, audience="locale.kk")
    admin = admin_in(live, locale)
    await reply_to(live, admin.user, "/reopen 1")
    mark = fake_api.mark()
    fake_api.send_command(admin.user, "/export")
    await fake_api.wait_for("sendDocument", after=mark)

    case_log = await reply_to(live, admin.user, "/audit 1")
    staff_log = await reply_to(live, admin.user, "/audit")

    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        result = resolution_labels()["ref"]
    astana = name("astana", locale)
    for line in (
        tr(live, locale, "case accepted"),
        tr(live, locale, "opened the case"),
        tr(live, locale, "case closed: {result}", result=result),
        tr(live, locale, "case reopened (its result was: {result})", result=result),
    ):
        assert f"{line} · {astana}" in case_log, line
    audience = tr(live, locale, "subscribers who read {language}", language=LANGUAGE_NAMES["kk"])
    assert tr(live, locale, "broadcast № {number}: {audience}", number=1, audience=audience) in (
        staff_log
    )
    regions = tr(live, locale, "all regions")
    assert tr(live, locale, "cases exported: {count} ({regions})", count=1, regions=regions) in (
        staff_log
    )
    assert f"id {ADMIN_ID}" in staff_log
    year = str(datetime.now(live.services.settings.tz).year)
    assert year in case_log and year in staff_log, "dates written out by Babel"
    for log in (case_log, staff_log):
        assert latin_words(log) <= {"id"}, "no action, audience or code in English"


@pytest.mark.parametrize("locale", LOCALES)
async def test_scheduling_offers_moments_ahead_in_one_tap(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    await subscribe(live, "ru")
    admin = admin_in(live, locale)
    await compose(admin, None, "scheduled-news", "all")
    zone = live.services.settings.tz
    now = datetime.now(zone)
    tomorrow = (now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    monday = (now + timedelta(days=7 - now.weekday())).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    choices = {f"bd:at:{int(moment.timestamp())}" for moment in (tomorrow, monday)}

    prompt = await admin.press("bd:sch:", button=f"bd:at:{int(tomorrow.timestamp())}")
    assert {b["callback_data"] for b in prompt.buttons} >= choices
    example = tomorrow.strftime("%d.%m.%Y %H:%M")
    assert example in (prompt.plain_text or ""), "the example is a moment ahead"
    labels = {b["callback_data"]: b["text"] for b in prompt.buttons}
    assert labels[f"bd:at:{int(tomorrow.timestamp())}"] == tr(
        live, locale, "🕒 Tomorrow, {time}", time="10:00"
    )
    monday_label = labels[f"bd:at:{int(monday.timestamp())}"]
    assert format_date(monday, "d MMM", locale=locale) in monday_label and "09:00" in monday_label
    assert all(len(label) <= 30 for label in labels.values())

    error = await admin.say("завтра в 10", button=f"bd:at:{int(monday.timestamp())}")
    assert error.plain_text == untagged(
        tr(
            live,
            locale,
            "I could not read that. Send the date and time like <code>{example}</code>, or "
            "choose below.",
            example=example,
        )
    )
    confirmation = await admin.press(f"bd:at:{int(monday.timestamp())}", expect="№")
    [row] = await live.services.broadcasts.recent()
    assert row.status is BroadcastStatus.SCHEDULED
    assert row.scheduled_at == monday.timestamp()
    assert format_date(monday, "long", locale=locale) in (confirmation.plain_text or "")
    stale = fake_api.press_forged(admin.user, f"bd:at:{int(monday.timestamp())}", prompt)
    assert (await fake_api.answer_to(stale)).get("text"), "a second tap is told it is stale"
    assert len(await live.services.broadcasts.recent()) == 1


@pytest.mark.parametrize("locale", LOCALES)
async def test_broadcasts_list_status_and_counts_on_their_own_lines(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    users = await subscribe(live, "ru", 3)
    fake_api.block(users[0])
    sent_id = await broadcast_now(live, None, "counted-news")
    admin = admin_in(live, locale)
    await compose(admin, None, "later-news", "all")
    await admin.press("bd:sch:", expect="")
    moment = (datetime.now(live.services.settings.tz) + timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    await admin.say(moment.strftime("%d.%m.%Y %H:%M"), expect="№")
    await wait_status(live, sent_id, BroadcastStatus.DONE)

    listing = await admin.command("/broadcasts", expect="№")

    entries = (listing.plain_text or "").split("\n\n")[1:]
    scheduled, done = (entry.splitlines() for entry in entries)
    head = tr(live, locale, "№ {number}, {created}: {audience}", number=2, created="@", audience="")
    assert scheduled[0].startswith(head.split("@")[0]) and len(scheduled) == 2
    assert (
        scheduled[1].startswith("🕒 ")
        and format_date(moment, "long", locale=locale) in (scheduled[1])
    )
    assert done[1] == tr(live, locale, "✅ Finished")
    assert done[2] == tr(
        live,
        locale,
        "Sent {sent} · blocked {blocked} · failed {failed}",
        sent=2,
        blocked=1,
        failed=0,
    )


@pytest.mark.parametrize("locale", LOCALES)
async def test_admin_stats_show_delivery_audience_and_overdue_ranking(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    subscribers = await subscribe(live, "kk", 2) + await subscribe(live, "ru", 1)
    fake_api.block(subscribers[0])
    await broadcast_now(live, "жаңалық", "новость")
    astana = fake_api.make_group(title="Astana")
    await live.link("astana", astana)
    person = live.person()
    for region in ("astana", "astana", "abai", "abai", "abai"):
        await report(person, region)
    await live.deliver()
    for case_no in (1, 3, 4):
        await backdate(live, case_no, days=30)
    await report(live.person(), "astana")  # № 6: closed before its card went: given up
    await live.services.digests.queue()
    await live.services.database.execute("UPDATE reports SET status = 'closed' WHERE case_no = 6")
    await live.sender.drain(within=5)
    admin = admin_in(live, locale)

    mark = fake_api.mark()
    fake_api.send_command(admin.user, "/stats")
    await fake_api.next_reply(admin.user, after=mark)
    fake_api.send_command(admin.user, "/broadcasts")  # typed as soon as the text is there
    photo = await fake_api.wait_for("sendPhoto", after=mark)
    full = tr(
        live,
        locale,
        "№ {number}, {created}: sent {sent} · blocked {blocked} · failed {failed}",
        number=1,
        created="@@",
        sent=2,
        blocked=1,
        failed=0,
    )
    head = full.split("@@")[0]  # «№ 1, » in ru, «№ 1 · » in kk
    listing = await fake_api.wait_for(
        "sendMessage",
        lambda r: head in r.params["text"] and "📊" not in r.params["text"],
        after=mark,
    )
    assert photo.index < listing.index, "the chart comes before the next command's answer"
    answers = [
        r
        for r in fake_api.requests[mark : photo.index + 1]
        if r.method in ("sendMessage", "sendPhoto") and r.ok
    ]
    assert answers[-1] is photo, "right after the text"
    text = "\n".join(r.params["text"] for r in answers[:-1])
    assert photo.params["caption"] == tr(
        live,
        locale,
        "📊 Reports by region (above) and by sphere (below), since the start: {total}. {scope}.",
        total=6,
        scope=tr(live, locale, "all regions"),
    )

    lines = untagged(text).splitlines()
    ranking = lines.index(untagged(tr(live, locale, "<b>Overdue by region</b>, worst first")))
    assert lines[ranking + 1 : ranking + 3] == [
        f"1. {name('abai', locale)}: 2",
        f"2. {name('astana', locale)}: 1",
    ]
    for message, count in (
        ("Open reports of regions with no department chat (they go to the admins): {count}", 3),
        ("Department chats refusing the bot's messages: {count}", 0),
        ("Messages the bot gave up on: {count}", 1),
    ):
        assert tr(live, locale, message, count=count) in lines
    assert untagged(tr(live, locale, "<b>News subscribers</b>: {count}", count=2)) in lines
    assert f"{LANGUAGE_NAMES['kk']}: 1 · {LANGUAGE_NAMES['ru']}: 1" in lines
    reach = next(line for line in lines if line.startswith(head))
    assert reach.endswith(full.split("@@")[1])
    title = untagged(tr(live, locale, "<b>New per week</b>, the last {weeks}", weeks=8))
    weekly = lines.index(title)
    spark = lines[weekly + 1]
    assert set(spark) <= set("▁▂▃▄▅▆▇█") and len(spark) == 8
    assert spark.count("█") == 2 and spark[-1] == "█", "3 a month ago, 3 this week"
    assert spark.count("▁") == 6, "empty weeks stay flat"
    assert lines[weekly + 2].endswith(": 3") and lines[weekly + 3].endswith(": 3")
    assert lines[weekly + 4] == "", "only the weeks that had reports are listed"


@pytest.mark.parametrize("locale", LOCALES)
async def test_stats_in_a_department_group_stay_within_its_region(
    live: Live, fake_api: FakeBotAPI, locale: str
) -> None:
    await subscribe(live, "kk", 2)
    await broadcast_now(live, "жаңалық", None)
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group)
    person = live.person()
    await report(person, "astana")
    await report(person, "abai")
    await live.deliver()
    for case_no in (1, 2):
        await backdate(live, case_no, days=30)
    officer = await live.officer("astana", language=locale)

    mark = fake_api.mark()
    fake_api.send_command(officer, "/stats", chat=group)
    photo = await fake_api.wait_for("sendPhoto", after=mark)
    text = "\n".join(
        r.params["text"] for r in fake_api.requests[mark:] if r.method == "sendMessage" and r.ok
    )

    for other in ("kk", "ru"):
        assert name("abai", other) not in text + photo.params["caption"]
        for message in ("<b>News subscribers</b>: {count}", "<b>Latest broadcasts</b>"):
            assert untagged(tr(live, other, message, count=2)) not in untagged(text)
    assert any(name("astana", other) in photo.params["caption"] for other in ("kk", "ru"))
