"""The case board: only the viewer's regions, every filter narrowing, search in the opened text
and place, counts per status, sort, pages of 50, and one refusal for each bad parameter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.values import Resolution
from bot.ui.formatting import format_moment
from tests.support.flows import region_name, sphere_name
from tests.support.live import ADMIN_ID, said
from tests.support.stored_cases import accepted, case, filed
from tests.support.workspace import Workspace, WorkspaceClient

KK_TEXT = "Әкімдікте ҰЯТСЫЗ ПАРА сұрайды, құжатты бермейді."
RU_PLACE = "ТОО «ЗлатоГорск-Строй»"
FILLERS = 51


async def numbers(client: WorkspaceClient, query: str = "") -> list[int]:
    return [case["no"] for case in (await client.get(f"cases?{query}"))["cases"]]


async def test_the_board_filters_counts_sorts_and_pages(workspace: Workspace) -> None:
    live = workspace.live
    officer = await live.officer("astana", language="ru")
    fillers = [await filed(live, "astana") for _ in range(FILLERS)]
    kk = await filed(live, "astana", body=KK_TEXT, sphere="akimat")
    ru = await filed(live, "astana", place=RU_PLACE, sphere="land")
    urgent = await filed(live, "astana", urgent=True)
    late = await filed(live, "astana", days_ago=10, sphere="land")
    taken = await filed(live, "astana", days_ago=2)
    closed = await filed(live, "astana", days_ago=1)
    elsewhere = await filed(live, "almaty_city", body=KK_TEXT, place=RU_PLACE, urgent=True)
    await accepted(live, taken, officer.id)
    assert await live.services.cases.close(
        await case(live, closed), officer.id, Resolution.DUPLICATE
    )
    mine = [*fillers, kk, ru, urgent, late, taken, closed]
    client = await workspace.login(officer)
    await client.post("language", {"locale": "ru"})

    first = await client.get("cases")
    assert first["total"] == len(mine) == FILLERS + 6
    assert (first["page"], first["pages"], len(first["cases"])) == (1, 2, 50)
    second = await client.get("cases?page=2")
    assert len(second["cases"]) == len(mine) - 50
    seen = [c["no"] for c in first["cases"] + second["cases"]]
    assert sorted(seen) == sorted(mine), "every case of astana once, none of almaty's"
    assert (await client.get("cases?page=3"))["cases"] == []
    assert first["counts"] == {
        "new": len(mine) - 2,
        "delivered": 0,
        "accepted": 1,
        "awaiting_reporter": 0,
        "closed": 1,
    }
    assert [o["code"] for o in first["options"]["regions"]] == ["astana"]
    assert {o["code"] for o in first["options"]["statuses"]} == set(first["counts"])
    assert seen[-2:] == [taken, late], "newest first"

    summary = next(c for c in first["cases"] if c["no"] == urgent)
    locale = "ru"
    row = await case(live, urgent)
    settings = live.services.settings
    deadline = live.services.deadlines.of(row)
    assert deadline is not None
    assert summary == {
        "no": urgent,
        "region": "astana",
        "region_name": region_name("astana", locale),
        "sphere": "police",
        "sphere_name": sphere_name("police", locale),
        "status": "new",
        "status_label": said(live, locale, "received, being passed to the service"),
        "received": format_moment(datetime.fromisoformat(row.created_at), settings.tz, locale),
        "deadline": format_moment(deadline, settings.tz, locale),
        "overdue": False,
        "due_soon": False,
        "urgent": True,
        "excerpt": summary["excerpt"],
    }
    assert summary["excerpt"].startswith("Начальник отдела акимата")
    assert len(summary["excerpt"]) <= 140

    assert await numbers(client, "status=accepted") == [taken]
    assert await numbers(client, "status=closed") == [closed]
    assert await numbers(client, "urgent=1") == [urgent]
    assert await numbers(client, "overdue=1") == [late]
    assert await numbers(client, "sphere=land") == [ru, late]
    assert await numbers(client, "sphere=land&overdue=1") == [late]
    assert await numbers(client, "region=astana&sphere=akimat") == [kk]
    day = datetime.fromisoformat((await case(live, late)).created_at).astimezone(settings.tz)
    assert await numbers(client, f"from={day:%Y-%m-%d}&to={day:%Y-%m-%d}") == [late]
    assert late not in await numbers(client, f"from={datetime.now(settings.tz):%Y-%m-%d}")
    narrowed = await client.get("cases?sphere=land&status=new")
    assert narrowed["total"] == 2
    assert narrowed["counts"]["new"] == 2 and sum(narrowed["counts"].values()) == 2

    oldest = await numbers(client, "sort=oldest")
    assert oldest[:3] == [late, taken, closed]
    by_deadline = await client.get("cases?sort=deadline&page=2")
    assert by_deadline["cases"][-1]["no"] == closed, "a closed case has no deadline: last"
    assert (await numbers(client, "sort=deadline"))[0] == late
    assert [c["overdue"] for c in (await client.get("cases?sort=deadline"))["cases"][:2]] == [
        True,
        False,
    ]

    admin = await workspace.login(ADMIN_ID)
    assert elsewhere in await numbers(admin, "urgent=1")
    assert await numbers(admin, "region=almaty_city") == [elsewhere]


async def test_search_opens_text_and_place_in_both_languages_and_never_another_region(
    workspace: Workspace,
) -> None:
    live = workspace.live
    officer = await live.officer("astana", language="kk")
    kk = await filed(live, "astana", body=KK_TEXT, place="Ақмола ауылы")
    ru = await filed(live, "astana", place=RU_PLACE)
    other = await filed(live, "astana", body="Другой  текст\nбез метки. " * 20)
    closed = await filed(live, "astana", body="Тоже ұятсыз пара, но дело закрыто.")
    await live.services.cases.close(await case(live, closed), ADMIN_ID, Resolution.REFERRED)
    elsewhere = await filed(live, "almaty_city", body=KK_TEXT, place=RU_PLACE)
    client = await workspace.login(officer)

    found = await client.get("cases?q=ұятсыз%20%20Пара")
    assert [c["no"] for c in found["cases"]] == [closed, kk], "spaces and case aside"
    assert found["total"] == 2
    assert found["counts"]["new"] == 1 and found["counts"]["closed"] == 1
    assert await numbers(client, "q=ҰЯТСЫЗ&status=new") == [kk]
    assert await numbers(client, "q=златогорск-строй") == [ru]
    assert await numbers(client, "q=АҚМОЛА") == [kk], "the place, in Kazakh"
    assert await numbers(client, f"q=%E2%84%96{other}") == [other], "a case number"
    assert await numbers(client, f"q={other}") == [other]
    [long] = (await client.get("cases?q=ДРУГОЙ+ТЕКСТ+БЕЗ"))["cases"]
    assert long["no"] == other, "Russian text, across a line break"
    assert long["excerpt"].startswith("Другой текст без метки. Другой")
    assert len(long["excerpt"]) == 140 and long["excerpt"].endswith("…")
    assert await numbers(client, "q=нет+такого+слова") == []
    assert (await client.get("cases?q=нет+такого+слова"))["total"] == 0
    assert elsewhere not in await numbers(client, f"q={elsewhere}")

    admin = await workspace.login(ADMIN_ID)
    assert await numbers(admin, "q=златогорск") == [elsewhere, ru]
    assert await numbers(admin, "q=златогорск&region=almaty_city") == [elsewhere]


async def test_bad_parameters_are_refused_each_by_name(workspace: Workspace) -> None:
    live = workspace.live
    officer = await live.officer("astana")
    client = await workspace.login(officer)
    bad: dict[str, str] = {
        "status=open": "status",
        "sphere=weather": "sphere",
        "region=almaty_city": "region",
        "region=atlantis": "region",
        "overdue=yes": "overdue",
        "urgent=2": "urgent",
        "from=2026-13-01": "from",
        "from=20261201": "from",
        "to=1.12.2026": "to",
        "from=2026-12-02&to=2026-12-01": "to",
        "q=" + "а" * 201: "q",
        "sort=random": "sort",
        "page=0": "page",
        "page=-1": "page",
        "page=two": "page",
        "page=%D9%A3": "page",
    }
    for query, field in bad.items():
        answer: tuple[int, Any] = await client.call("GET", f"cases?{query}")
        assert answer == (400, {"error": "invalid", "field": field}), query
    assert (await client.get("cases?overdue=0&urgent=&q=+&region=astana"))["total"] == 0
