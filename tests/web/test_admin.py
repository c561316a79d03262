"""The admin section of the workspace: the chat's permissions (admins everything, a head their
regions' department and roster, officers nothing), the chat's numbers and the chat's effects."""

from __future__ import annotations

import json
import time
from datetime import datetime

from aiogram.utils.i18n import gettext as _

from bot.broadcasts.content import Content, Version
from bot.broadcasts.service import Request
from bot.core import receipt
from bot.core.clock import new_id
from bot.departments.roster import Role
from bot.reports.service import Submission
from storage.broadcasts import BroadcastStatus
from storage.subscribers import Audience
from tests.support.flows import ask_stats, region_name
from tests.support.live import ADMIN_ID, Live
from tests.support.workspace import Workspace

NOT_FOUND = (404, {"error": "not_found"})
ADMIN_ROUTES = [
    ("GET", "admin/departments"),
    ("GET", "admin/roster"),
    ("POST", "admin/invite"),
    ("POST", "admin/roster/x/remove"),
    ("GET", "admin/stats"),
    ("POST", "admin/export"),
    ("GET", "admin/broadcasts"),
    ("POST", "admin/broadcasts/1/cancel"),
    ("GET", "admin/audit"),
]


async def file_cases(live: Live, *where: tuple[str, str]) -> list[int]:
    """Reports stored through the service, one per (region, sphere); their case numbers."""
    for region, sphere in where:
        await live.services.reports.submit(
            Submission(
                new_id(), receipt.generate(), region, sphere, "week", None, "Текст", None, "ru"
            )
        )
    cases = await live.services.repositories.cases.open_cases()
    return sorted(case.case_no for case in cases)


async def case(live: Live, case_no: int):  # type: ignore[no-untyped-def]
    found = await live.services.repositories.cases.by_number(case_no)
    assert found is not None
    return found


async def join(live: Live, command: str, language: str = "ru"):  # type: ignore[no-untyped-def]
    """A new person sends ``/join <code>`` to the bot in private."""
    person = live.api.make_user(language_code=language, first_name="Жанар")
    mark = live.api.mark()
    live.api.send_command(person, command)
    await live.api.next_reply(person, after=mark)
    return person


def said(live: Live, locale: str, text: str) -> str:
    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        return _(text)


async def test_an_admin_manages_departments_and_rosters(workspace: Workspace) -> None:
    live = workspace.live
    officer = await live.officer("astana", first_name="Айгуль", username="aigul_s")
    admin = await workspace.login(ADMIN_ID)
    await admin.post("language", {"locale": "ru"})

    departments = (await admin.get("admin/departments"))["departments"]
    assert len(departments) == len(live.services.catalog.regions)
    astana = next(d for d in departments if d["region"] == "astana")
    assert astana["name"] == region_name("astana") and astana["chats"] == 0
    assert astana["problems"] and not astana["in_order"], "no linked chat is a problem"

    status, raw = await admin.call("GET", "admin/roster")
    assert status == 200
    listed = json.dumps(raw, ensure_ascii=False)
    assert [(o["name"], o["role"], o["removed"]) for o in raw["officers"]] == [
        ("Айгуль", "officer", False)
    ]
    assert str(officer.id) not in listed and "aigul_s" not in listed, "no Telegram id or username"
    assert {r["code"] for r in raw["roles"]} == {"officer", "head"}

    code = await admin.post("admin/invite", {"region": "abai", "role": "head"})
    assert code["command"] == f"/join {code['code']}" and code["region"] == "abai"
    assert code["expires_at"] > time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 86000))
    head = await join(live, code["command"])
    assert await live.services.roster.roles(head.id) == {"abai": Role.HEAD}
    assert await admin.call("POST", "admin/invite", {"region": "atlantis", "role": "officer"}) == (
        NOT_FOUND
    )
    assert (await admin.call("POST", "admin/invite", {"region": "abai"}))[0] == 400

    # The officer has a session; removing their roster entry ends it at their next request.
    session = await workspace.login(officer)
    assert (await session.call("GET", "me"))[0] == 200
    entry = raw["officers"][0]["id"]
    removed = await admin.post(f"admin/roster/{entry}/remove")
    assert removed["officer"]["removed"] is True
    assert await session.call("GET", "me") == (401, {"error": "unauthorized"})
    assert await admin.call("POST", f"admin/roster/{entry}/remove") == NOT_FOUND
    after = (await admin.get("admin/roster"))["officers"]
    assert {(o["name"], o["removed"]) for o in after} == {("Айгуль", True), ("Жанар", False)}

    # CSRF on every change is the session middleware's: one check.
    assert await admin.call(
        "POST", "admin/invite", {"region": "abai", "role": "officer"}, csrf=False
    ) == (
        403,
        {"error": "csrf"},
    )


async def test_a_head_manages_only_their_region_and_an_officer_nothing(
    workspace: Workspace,
) -> None:
    live = workspace.live
    head = await live.officer("astana", role="head", first_name="Ерлан")
    other_head = await live.officer("astana", role="head", first_name="Марат")
    mine = await live.officer("astana", first_name="Айгуль")
    theirs = await live.officer("abai", first_name="Дана")
    admin = await workspace.login(ADMIN_ID)
    entries = {o["name"]: o["id"] for o in (await admin.get("admin/roster"))["officers"]}
    client = await workspace.login(head)

    assert [d["region"] for d in (await client.get("admin/departments"))["departments"]] == [
        "astana"
    ]
    roster = await client.get("admin/roster")
    assert {o["name"]: o["removable"] for o in roster["officers"]} == {
        "Ерлан": False,
        "Марат": False,
        "Айгуль": True,
    }
    assert [r["code"] for r in roster["regions"]] == ["astana"]
    assert [r["code"] for r in roster["roles"]] == ["officer"]
    assert await client.call("GET", "admin/roster?region=abai") == NOT_FOUND
    assert (await client.post("admin/invite", {"region": "astana", "role": "officer"}))["code"]
    for body in ({"region": "astana", "role": "head"}, {"region": "abai", "role": "officer"}):
        assert await client.call("POST", "admin/invite", body) == NOT_FOUND
    for name in ("Дана", "Марат"):
        assert await client.call("POST", f"admin/roster/{entries[name]}/remove") == NOT_FOUND
    assert (await client.post(f"admin/roster/{entries['Айгуль']}/remove"))["officer"]["removed"]
    assert await live.services.roster.roles(mine.id) == {}
    assert await live.services.roster.roles(other_head.id) == {"astana": Role.HEAD}
    assert await live.services.roster.roles(theirs.id) == {"abai": Role.OFFICER}

    # Broadcasts and the audit log are the admins'; a head is answered as for a missing route.
    nowhere = await client.call("GET", "admin/nothing")
    assert nowhere == NOT_FOUND
    for path in ("admin/broadcasts", "admin/audit"):
        assert await client.call("GET", path) == nowhere
    assert await client.call("POST", "admin/broadcasts/1/cancel") == nowhere

    # An officer: every admin route as a route that does not exist.
    officer = await workspace.login(theirs)
    assert await officer.call("POST", "admin/nothing") == NOT_FOUND
    for method, path in ADMIN_ROUTES:
        body = {"region": "abai", "role": "officer"} if method == "POST" else None
        assert await officer.call(method, path, body) == NOT_FOUND, path
    assert await live.services.roster.roles(theirs.id) == {"abai": Role.OFFICER}


async def test_statistics_are_those_of_stats_and_a_head_sees_their_regions(
    workspace: Workspace,
) -> None:
    live = workspace.live
    numbers = await file_cases(live, ("astana", "akimat"), ("astana", "police"), ("abai", "akimat"))
    officer = await live.officer("astana")
    assert await live.services.cases.accept(await case(live, numbers[0]), officer.id)
    admin = await workspace.login(ADMIN_ID)
    await admin.post("language", {"locale": "ru"})

    shown = await admin.get("admin/stats")
    text, _chart = await ask_stats(live.api, live.admin)
    for line in shown["lines"]:
        assert line in text.splitlines(), line
    charts = {chart["key"]: chart["bars"] for chart in shown["charts"]}
    assert [(bar["code"], bar["value"]) for bar in charts["region"]] == [
        ("astana", 2),
        ("abai", 1),
    ]
    for key in ("region", "sphere", "status"):
        for bar in charts[key]:
            assert f"• {bar['label']}: {bar['shown']}" in text, (key, bar)
    assert sum(bar["value"] for bar in charts["week"]) == 3 and len(charts["week"]) == 8
    assert [bar["code"] for bar in charts["times"]] == ["accept"]
    assert charts["times"][0]["shown"] in shown["lines"][1]

    head = await live.officer("astana", role="head")
    scoped = await (await workspace.login(head)).get("admin/stats")
    assert [
        bar["code"] for bar in next(c for c in scoped["charts"] if c["key"] == "region")["bars"]
    ] == ["astana"]


async def test_broadcasts_show_their_progress_and_take_the_chats_controls(
    workspace: Workspace,
) -> None:
    live = workspace.live
    number = await live.services.broadcasts.create(
        Request(
            content=Content({"ru": Version("Новости"), "kk": Version("Жаңалықтар")}),
            audience=Audience(),
            admin_id=ADMIN_ID,
            admin_chat_id=ADMIN_ID,
            admin_locale="ru",
            at=time.time() + 3600,
        )
    )
    admin = await workspace.login(ADMIN_ID)
    [listed] = (await admin.get("admin/broadcasts"))["broadcasts"]
    assert listed["id"] == number and listed["status"] == "scheduled"
    assert [c["action"] for c in listed["controls"]] == ["cancel"]
    assert listed["status_label"] and listed["audience"]

    status, refused = await admin.call("POST", f"admin/broadcasts/{number}/pause")
    assert (status, refused["error"], refused["broadcast"]["status"]) == (
        409,
        "inactive",
        "scheduled",
    )
    cancelled = (await admin.post(f"admin/broadcasts/{number}/cancel"))["broadcast"]
    assert (cancelled["status"], cancelled["controls"]) == ("cancelled", [])
    row = await live.services.broadcasts.get(number)
    assert row is not None and row.status is BroadcastStatus.CANCELLED
    for path in (f"{number + 1}/cancel", f"{number}/explode", "x/cancel"):
        assert await admin.call("POST", f"admin/broadcasts/{path}") == NOT_FOUND, path


async def test_export_goes_to_the_private_chat_and_the_audit_log_shows_it(
    workspace: Workspace,
) -> None:
    live = workspace.live
    numbers = await file_cases(live, ("astana", "akimat"), ("abai", "police"))
    officer = await live.officer("astana", first_name="Айгуль")
    head = await live.officer("abai", role="head", first_name="Ерлан")
    first = await case(live, numbers[0])
    assert await live.services.cases.accept(first, officer.id)
    for _read in range(55):
        await live.services.cases.opened(first, officer.id)
    admin = await workspace.login(ADMIN_ID)
    await admin.post("language", {"locale": "ru"})

    mark = live.api.mark()
    assert await admin.post("admin/export") == {"sent": True}
    sent = await live.api.wait_for("sendDocument", after=mark)
    assert sent.message is not None and sent.message.chat_id == ADMIN_ID
    exported = live.api.files[sent.message.file_id].data.decode("utf-8-sig").splitlines()
    assert len(exported) == 3, "a header and the two cases"
    assert sent.message.plain_text == said(live, "ru", "Cases exported: {count}.").format(count=2)

    # A head's export: their regions' cases, to their chat; unless the bot cannot write there.
    head_client = await workspace.login(head)
    mark = live.api.mark()
    assert await head_client.post("admin/export") == {"sent": True}
    sent = await live.api.wait_for("sendDocument", after=mark)
    assert sent.message is not None and sent.message.chat_id == head.id
    assert len(live.api.files[sent.message.file_id].data.decode("utf-8-sig").splitlines()) == 2
    live.api.block(head)
    assert await head_client.call("POST", "admin/export") == (409, {"error": "no_private_chat"})

    log = await admin.get("admin/audit")
    assert len(log["entries"]) == 50 and log["more"] is True
    exports = [e for e in log["entries"] if e["action"] == "export"]
    assert [e["who"] for e in exports] == ["Ерлан", said(live, "ru", "admin")]
    assert str(ADMIN_ID) not in json.dumps(log) and str(head.id) not in json.dumps(log)
    rest = await admin.get("admin/audit?page=1")
    assert len(rest["entries"]) == 55 + 1 + 2 - 50 and rest["more"] is False

    officers = {o["label"].split(" · ")[0]: o["id"] for o in log["officers"]}
    theirs = await admin.get(f"admin/audit?officer={officers['Айгуль']}&action=accepted")
    assert [(e["who"], e["case_no"], e["region"]) for e in theirs["entries"]] == [
        ("Айгуль", numbers[0], "astana")
    ]
    assert len((await admin.get("admin/audit?region=astana"))["entries"]) == 50
    today = datetime.now(live.services.settings.tz).date().isoformat()
    assert (
        len((await admin.get(f"admin/audit?from={today}&to={today}&action=export"))["entries"]) == 2
    )
    assert (await admin.get("admin/audit?to=2020-01-01"))["entries"] == []
    for bad in ("from=yesterday", "region=atlantis", "page=-1", "officer=nobody"):
        assert (await admin.call("GET", f"admin/audit?{bad}"))[0] == 400, bad
