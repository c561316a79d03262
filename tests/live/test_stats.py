"""Statistics and exports: who may ask, what each scope sees, the chart and the CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest
from aiogram.utils.i18n import gettext as _
from matplotlib.text import Text
from PIL import Image

import bot.stats.service
from bot.core.catalog import Catalog
from bot.stats.chart import build_figure
from bot.stats.service import Stats
from bot.telegram.i18n import create_i18n
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support.flows import (
    ask_stats,
    cards,
    case_id_of,
    data,
    press_in,
    region_name,
    sphere_name,
)
from tests.support.live import ADMIN_ID, Live
from tests.support.people import Person

BODY = "Сотрудник требует 50 000 тенге за справку, без денег не выдаёт."
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CATALOG = Catalog.load()
I18N = create_i18n("kk")


async def file_report(
    person: Person,
    region: str,
    *,
    body: str = BODY,
    sphere: str = "akimat",
    place: str | None = None,
    contact: bool = False,
) -> None:
    """A citizen files a report through the dialog."""
    await person.command("/report", button="rg:abai")
    await person.press(f"rg:{region}", button=f"sp:{sphere}")
    await person.press(f"sp:{sphere}", button="wh:week")
    await person.press("wh:week", button="do:skip")
    if place is None:
        await person.press("do:skip", button="do:back")
    else:
        await person.say(place, button="do:back")
    await person.say(body, button="do:done")
    await person.press("do:done", button="do:skip")
    await person.press("do:skip", button="do:cyes")
    await person.press("do:cyes" if contact else "do:cno", button="do:submit")
    await person.press("do:submit", expect="-")


async def ask_export(
    api: FakeBotAPI, user: FakeUser, chat: FakeChat | None = None, *, to: FakeUser | None = None
) -> tuple[SentMessage, bytes]:
    """/export in ``chat`` (or in private); the file arrives in ``to``'s private chat."""
    mark = api.mark()
    api.send_command(user, "/export", chat=chat)
    sent = await api.wait_for("sendDocument", after=mark)
    assert sent.ok and sent.message is not None and sent.message.file_id
    assert sent.message.chat_id == (to or user).id
    return sent.message, api.files[sent.message.file_id].data


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel reads Cyrillic"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def translated(live: Live, locale: str, message: str, **values: object) -> str:
    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        return _(message).format(**values)


def medians(live: Live, locale: str, text: str) -> tuple[str, str]:
    """The two values of the median line, whatever its translation."""
    line = translated(
        live,
        locale,
        "Median time to acceptance: {accept}; to closing: {close}.",
        accept="ACCEPTVALUE",
        close="CLOSEVALUE",
    )
    pattern = (
        re.escape(line)
        .replace("ACCEPTVALUE", "(?P<accept>.+?)")
        .replace("CLOSEVALUE", "(?P<close>.+?)")
    )
    match = re.search(f"^{pattern}$", text, re.MULTILINE)
    assert match is not None, text
    return match["accept"], match["close"]


def assert_png(data: bytes) -> None:
    assert data.startswith(PNG_SIGNATURE)
    Image.open(io.BytesIO(data)).verify()
    width, height = Image.open(io.BytesIO(data)).size
    assert 400 <= width <= 2000 and 400 <= height <= 2000, (width, height)


async def test_admin_stats_count_every_region_with_a_png_chart(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person()
    await file_report(person, "astana", sphere="akimat")
    await file_report(person, "astana", sphere="police")
    await file_report(person, "abai", sphere="akimat")

    text, chart = await ask_stats(fake_api, live.admin)

    totals = "Reports: {total}. Open: {open}. Overdue: {overdue}."
    assert translated(live, "ru", totals, total=3, open=3, overdue=0) in text
    assert translated(live, "ru", "all regions") in text
    assert f"• {region_name('astana', 'ru')}: 2" in text
    assert f"• {region_name('abai', 'ru')}: 1" in text
    assert f"• {sphere_name('akimat', 'ru')}: 2" in text
    assert f"• {sphere_name('police', 'ru')}: 1" in text
    assert region_name("shymkent", "ru") not in text, "regions without reports are not listed"
    this_week = translated(live, "ru", "• week of {week}: {count}", week="WEEK", count=3)
    assert re.search(re.escape(this_week).replace("WEEK", ".+"), text), "this week's 3 reports"
    assert_png(chart)


async def test_officers_see_and_export_only_their_regions(live: Live, fake_api: FakeBotAPI) -> None:
    group = fake_api.make_group(title="Astana officers")
    await live.link("astana", group)
    reporter = live.person(first_name="Тайный", username="secret_reporter")
    await file_report(reporter, "astana", body=BODY + " ASTANA-SECRET", contact=True)
    await file_report(reporter, "abai", body=BODY + " ABAI-SECRET", sphere="police")
    officer = await live.officer("astana", "officer", "kk", first_name="Officer")

    text, chart = await ask_stats(fake_api, officer, group)
    totals = "Reports: {total}. Open: {open}. Overdue: {overdue}."
    assert translated(live, "kk", totals, total=1, open=1, overdue=0) in text
    assert f"• {region_name('astana', 'kk')}: 1" in text
    for name in (region_name("abai", "kk"), region_name("abai", "ru"), sphere_name("police", "kk")):
        assert name not in text
    assert_png(chart)

    document, exported = await ask_export(fake_api, officer, group, to=officer)
    assert (document.raw["document"]["file_name"]).startswith("adal-cases-")
    assert translated(live, "kk", "Cases exported: {count}.", count=1) == document.plain_text
    rows = csv_rows(exported)
    assert rows[0][0] == translated(live, "kk", "Case number")
    assert len(rows) == 2
    case = rows[1]
    assert case[0] == "1"
    assert case[1] == region_name("astana", "kk") and case[2] == sphere_name("akimat", "kk")
    assert case[5] == BODY + " ASTANA-SECRET", "the text is decrypted"
    assert datetime.fromisoformat(case[8]).tzinfo is not None
    plain = exported.decode("utf-8-sig")
    assert "ABAI-SECRET" not in plain
    for needle in (str(reporter.user.id), "Тайный", "secret_reporter"):
        assert needle not in plain, "the reporter's contact and identity are never exported"

    audit = await live.services.database.fetchall(
        "SELECT actor, action, report_id, region, detail FROM audit WHERE action = 'export'"
    )
    assert len(audit) == 1
    row = audit[0]
    assert (row["report_id"], row["region"], row["detail"]) == (None, "astana", "1 cases")
    assert bytes(row["actor"]) == live.services.chats.actor(officer.id)
    for value in (officer.id, group.id):
        assert str(value).encode() not in bytes(row["actor"])
        assert str(value) not in f"{row['region']} {row['detail']}"


async def test_admin_export_has_every_case_with_formulas_neutralised(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person()
    await file_report(
        person, "astana", place='=HYPERLINK("http://evil.example","x")', body="=1+2 " + BODY
    )
    await file_report(person, "abai", place="@SUM(A1:A2)", body="+77010000000 " + BODY)
    await file_report(person, "shymkent", body="-2+3 " + BODY)

    document, exported = await ask_export(fake_api, live.admin)

    assert translated(live, "ru", "Cases exported: {count}.", count=3) == document.plain_text
    rows = csv_rows(exported)[1:]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert [row[1] for row in rows] == [region_name(code, "ru") for code in ("astana", "abai")] + [
        region_name("shymkent", "ru")
    ]
    assert rows[0][4] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0][5] == "'=1+2 " + BODY
    assert rows[1][4] == "'@SUM(A1:A2)"
    assert rows[1][5] == "'+77010000000 " + BODY
    assert rows[2][4] == "" and rows[2][5] == "'-2+3 " + BODY
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell
    audit = await live.services.database.fetchone(
        "SELECT region, detail FROM audit WHERE action = 'export'"
    )
    assert (audit["region"], audit["detail"]) == (None, "3 cases")


async def test_an_export_over_the_upload_limit_comes_in_files_that_each_open_alone(
    live: Live, fake_api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = live.person()
    for region in ("astana", "abai", "shymkent"):
        await file_report(person, region)
    monkeypatch.setattr(bot.stats.service, "EXPORT_FILE_BYTES", 2 * len(BODY.encode()))
    summary = translated(live, "ru", "Cases exported: {count}.", count=3)
    captions = [
        translated(
            live, "ru", "{summary} File {number} of {total}.", summary=summary, number=n, total=3
        )
        for n in (1, 2, 3)
    ]
    mark = fake_api.mark()
    fake_api.send_command(live.admin, "/export")
    await fake_api.wait_for(
        "sendDocument", lambda r: r.params["caption"] == captions[-1], after=mark
    )

    sent = fake_api.calls("sendDocument", after=mark)
    assert [r.message.plain_text for r in sent if r.message] == captions
    files = [fake_api.files[r.message.file_id] for r in sent if r.message and r.message.file_id]
    assert [f.file_name[-6:] for f in files] == ["-1.csv", "-2.csv", "-3.csv"]
    tables = [csv_rows(f.data) for f in files]
    assert all(table[0] == tables[0][0] for table in tables), "each file has the header"
    assert [row[0] for table in tables for row in table[1:]] == ["1", "2", "3"]


async def test_others_get_the_unknown_command_answer_and_unlinked_groups_nothing(
    live: Live, fake_api: FakeBotAPI
) -> None:
    await file_report(live.person(), "astana")
    citizen = fake_api.make_user(language_code="ru")
    unknown = translated(
        live,
        "ru",
        "I did not understand that. To report corruption, send /report; to check a "
        "report, /status; for help and hotlines, /help.",
    )
    start = fake_api.mark()
    for command in ("/stats", "/export"):
        mark = fake_api.mark()
        fake_api.send_command(citizen, command)
        reply = await fake_api.next_reply(citizen, after=mark)
        assert reply.plain_text == unknown

    group = fake_api.make_group(title="Not a department")
    member = fake_api.make_user(language_code="ru")
    fake_api.send_command(member, "/stats", chat=group)
    fake_api.send_command(member, "/export", chat=group)
    # The same member in the same chat is handled one update at a time, in order.
    mark = fake_api.mark()
    fake_api.send_command(member, "/join WRONGCODE", chat=group)
    refusal = await fake_api.next_reply(group, after=mark)
    assert [m.plain_text for m in fake_api.messages_in(group)] == [refusal.plain_text]
    assert fake_api.calls("sendPhoto", after=start) == []
    assert fake_api.calls("sendDocument", after=start) == []
    assert await live.services.database.fetchall("SELECT id FROM audit") == []


async def test_median_time_to_acceptance_appears_once_a_case_is_accepted(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = fake_api.make_group(title="Astana")
    await live.link("astana", group, language="ru")
    await file_report(live.person(), "astana")
    await live.deliver()
    officer = await live.officer("astana")

    before, _chart = await ask_stats(fake_api, officer, group)
    assert medians(live, "ru", before) == ("—", "—")

    await press_in(fake_api, officer, group, data("acc", case_id_of(cards(fake_api, group)[0])))
    after, _chart = await ask_stats(fake_api, officer, group)
    accept, close = medians(live, "ru", after)
    assert accept != "—" and re.search(r"\d", accept), accept
    assert close == "—"


async def test_medians_and_overdue_counts_are_computed_per_scope(live: Live) -> None:
    person = live.person()
    for region in ("astana", "astana", "astana", "astana", "abai"):
        await file_report(person, region)
    database = live.services.database
    start = "2030-01-01T00:00:00+00:00"
    await database.execute("UPDATE reports SET created_at = ?", (start,))
    accepted = {1: "00:01:00", 2: "00:02:00", 3: "00:10:00", 5: "05:00:00"}
    for case_no, after in accepted.items():
        await database.execute(
            "UPDATE reports SET status = 'accepted', accepted_at = ? WHERE case_no = ?",
            (f"2030-01-01T{after}+00:00", case_no),
        )
    await database.execute(
        "UPDATE reports SET status = 'closed', closed_at = '2030-01-03T00:00:00+00:00' "
        "WHERE case_no = 1"
    )
    service = live.services.stats
    now = datetime.fromisoformat("2030-01-09T00:00:00+00:00")  # case 4 is past its 7 days

    astana = await service.summary(frozenset({"astana"}), now)
    assert astana.to_accept is not None
    assert astana.to_accept.total_seconds() == pytest.approx(120, abs=1), "middle of 60, 120, 600"
    assert astana.to_close is not None and astana.to_close.days == 2
    assert (astana.total, astana.open, astana.overdue) == (4, 3, 1)
    assert astana.overdue_by_region == (("astana", 1),)

    everyone = await service.summary(None, now)
    assert everyone.to_accept is not None
    assert everyone.to_accept.total_seconds() == pytest.approx(360, abs=1), "mean of 120 and 600"
    assert everyone.total == 5 and dict(everyone.by_region) == {"astana": 4, "abai": 1}
    assert everyone.weekly[-2:] == ((date(2029, 12, 31), 5), (date(2030, 1, 7), 0))
    abai = await service.summary(frozenset({"abai"}), now)
    assert abai.overdue == 0 and abai.to_accept == timedelta(hours=5)


async def test_a_kazakh_speaking_admin_reads_kazakh_names(live: Live, fake_api: FakeBotAPI) -> None:
    await file_report(live.person(), "turkistan", sphere="healthcare")
    admin = fake_api.make_user(id=ADMIN_ID, first_name="Admin", language_code="kk")

    text, chart = await ask_stats(fake_api, admin)

    assert f"• {region_name('turkistan', 'kk')}: 1" in text
    assert f"• {sphere_name('healthcare', 'kk')}: 1" in text
    assert region_name("turkistan", "ru") not in text
    assert_png(chart)


CHART_STATS = Stats(
    regions=None,
    total=5,
    by_region=(("akmola", 3), ("aktobe", 2)),
    by_category=(("healthcare", 4), ("land", 1)),
    by_status=(("new", 5),),
    weekly=(),
    to_accept=None,
    to_close=None,
    overdue_by_region=(),
)


@pytest.mark.parametrize(
    ("locale", "other", "titles"),
    [
        ("kk", "ru", ["Өңірлер бойынша хабарламалар", "Салалар бойынша хабарламалар"]),
        ("ru", "kk", ["Сообщения по регионам", "Сообщения по сферам"]),
    ],
)
def test_chart_has_both_bar_groups_labelled_in_the_user_language(
    locale: str, other: str, titles: list[str]
) -> None:
    with I18N.context(), I18N.use_locale(locale):
        figure = build_figure(CHART_STATS, CATALOG, locale)
    by_region, by_sphere = figure.get_axes()
    assert [axes.get_title(loc="left") for axes in (by_region, by_sphere)] == titles
    assert [label.get_text() for label in by_region.get_yticklabels()] == [
        region_name("akmola", locale),
        region_name("aktobe", locale),
    ]
    assert [label.get_text() for label in by_sphere.get_yticklabels()] == [
        sphere_name("healthcare", locale),
        sphere_name("land", locale),
    ]
    assert [bar.get_width() for bar in by_region.patches] == [3, 2]
    assert [bar.get_width() for bar in by_sphere.patches] == [4, 1]
    assert [label.get_text() for label in by_region.texts] == ["3", "2"]
    assert [label.get_text() for label in by_sphere.texts] == ["4", "1"]
    shown = {text.get_text() for text in figure.findobj(Text)}
    assert region_name("akmola", other) not in shown
    assert sphere_name("healthcare", other) not in shown
