"""The deadlines view: overdue and due within a week, the nearest first; the load by the officer
who accepted each case and by region; the viewer's regions only."""

from __future__ import annotations

from typing import Any

from bot.core.values import Resolution
from tests.support.flows import region_name
from tests.support.live import ADMIN_ID, said
from tests.support.stored_cases import accepted, age, case, filed
from tests.support.workspace import Workspace


def loads(rows: list[dict[str, Any]]) -> list[tuple[str, int, int, int]]:
    return [(row["name"], row["open"], row["week"], row["overdue"]) for row in rows]


async def test_deadlines_by_section_officer_and_region(workspace: Workspace) -> None:
    live = workspace.live
    officer = await live.officer("astana", first_name="Айгуль", last_name="Сапарова")
    waiting = await filed(live, "astana", days_ago=10)  # acceptance due 3 days ago
    soonest = await filed(live, "astana", days_ago=6)  # acceptance due within a day
    soon = await filed(live, "astana", days_ago=3)  # acceptance due in 4 days
    fresh = await filed(live, "astana")  # acceptance due in 7 days
    answer_soon, answer_late, by_admin, closed = [await filed(live, "astana") for _ in range(4)]
    elsewhere = await filed(live, "almaty_city", days_ago=30)
    for number in (answer_soon, answer_late, closed):
        await accepted(live, number, officer.id)
    await accepted(live, by_admin, ADMIN_ID)
    await live.services.cases.close(await case(live, closed), officer.id, Resolution.REFERRED)
    await age(live, answer_soon, 85)  # the answer due in 5 days
    await age(live, answer_late, 100)  # the answer due 10 days ago
    await age(live, closed, 100)
    client = await workspace.login(officer)
    await client.post("language", {"locale": "ru"})

    view = await client.get("deadlines")
    assert [c["no"] for c in view["overdue"]] == [answer_late, waiting]
    assert all(c["overdue"] for c in view["overdue"])
    assert [c["no"] for c in view["week"]] == [soonest, soon, answer_soon, fresh]
    assert [c["due_soon"] for c in view["week"]] == [True, False, False, False]
    assert view["totals"] == {"overdue": 2, "week": 4}
    assert loads(view["officers"]) == [
        (said(live, "ru", "not accepted yet").capitalize(), 4, 3, 1),
        ("Айгуль Сапарова", 2, 1, 1),
        (said(live, "ru", "admin"), 1, 0, 0),
    ]
    assert loads(view["regions"]) == [(region_name("astana"), 7, 4, 2)]
    assert view["regions"][0]["code"] == "astana"

    admin = await workspace.login(ADMIN_ID)
    everything = await admin.get("deadlines")
    assert elsewhere in [c["no"] for c in everything["overdue"]]
    regions = {row["code"]: row for row in everything["regions"]}
    assert len(regions) == len(live.services.catalog.regions)
    assert (regions["almaty_city"]["open"], regions["almaty_city"]["overdue"]) == (1, 1)
    assert everything["regions"][0]["code"] == "astana", "the most overdue first"
