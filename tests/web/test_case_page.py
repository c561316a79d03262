"""The case page: a case of the viewer's regions as the report was written, its evidence, and the
officers' actions, which show on the chat card and in the reporter's /status, and the other way
round; anything outside the viewer's regions answered as a case that does not exist."""

from __future__ import annotations

import json
import secrets
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import av
from multidict import CIMultiDictProxy
from PIL import Image

from bot.cases.service import QUESTION_LIMIT
from bot.cases.views import file_note
from bot.reports.evidence import FileKind
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support import stored_cases
from tests.support.flows import BODY, cards, case_id_of, data, press_in, region_name, report
from tests.support.live import Live, said
from tests.support.people import Person
from tests.support.speech import spoken
from tests.support.workspace import Workspace, WorkspaceClient, workspace_bot

CHAT = "kk"
"""The department chat's language: the department's, the default."""
PHOTO = Image.new("RGB", (64, 48), (200, 30, 30))


def jpeg() -> bytes:
    buffer = BytesIO()
    PHOTO.save(buffer, "JPEG")
    return buffer.getvalue()


def archive() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as written:
        written.writestr("notes.txt", "Протокол встречи")
    return buffer.getvalue()


ARCHIVE = archive()
"""A file no cleaner reads: kept as sent, offered for download."""


async def astana_case(
    live: Live, group: FakeChat, body: str, *, files: bool = False
) -> tuple[Person, str, str, int]:
    """A delivered case, the reporter reachable for questions, optionally with a photo and a
    ZIP archive: (its reporter, receipt code, case id, case number)."""
    person = live.person()
    receipt = await report(
        person,
        "astana",
        body=f"{BODY} {body}",
        contact=True,
        photo=jpeg() if files else None,
        document=(ARCHIVE, "Протокол Иванова.zip") if files else None,
    )
    code = next(line for line in receipt.splitlines() if line.count("-") == 3)
    await live.deliver()
    case = case_id_of(cards(live.api, group)[-1])
    row = await live.services.database.fetchone("SELECT case_no FROM reports WHERE id = ?", (case,))
    return person, code, case, int(row["case_no"])


async def raw(
    client: WorkspaceClient, method: str, path: str, body: Any = None
) -> tuple[int, CIMultiDictProxy[str], bytes]:
    headers = {"Authorization": f"Bearer {client.token}", "X-CSRF-Token": client.csrf or ""}
    async with client.workspace.http.request(
        method, f"{client.workspace.base}api/{path}", json=body, headers=headers
    ) as response:
        return response.status, response.headers, await response.read()


def card_text(live: Live, group: FakeChat, case: str) -> str:
    """The case's card in ``group`` as it reads now (with its edits)."""
    return card_in(live, group, case).plain_text or ""


def card_in(live: Live, group: FakeChat, case: str) -> SentMessage:
    return next(
        m for m in live.api.messages_in(group) if m.message_id == first_card(live, group, case)
    )


def first_card(live: Live, group: FakeChat, case: str) -> int:
    return next(
        r.message.message_id
        for r in live.api.requests
        if r.method == "sendMessage"
        and r.message is not None
        and r.message.chat_id == group.id
        and any(case in b.get("callback_data", "") for b in r.message.buttons)
    )


async def status_of(person: Person, code: str) -> str:
    answer: SentMessage = await person.command(f"/status {code}", expect="№")
    return answer.plain_text or ""


async def linked_astana(live: Live) -> FakeChat:
    group = live.api.make_group(title="Astana")
    await live.link("astana", group)
    return group


async def test_the_page_shows_the_report_its_files_and_audits_the_read(
    workspace: Workspace,
) -> None:
    live = workspace.live
    group = await linked_astana(live)
    marker = f"MARKER-{secrets.token_hex(4)}"
    _person, _code, case, number = await astana_case(
        live, group, f"Аким требует взятку. {marker}", files=True
    )
    officer = await live.officer("astana", language="ru", first_name="Айгуль")
    client = await workspace.login(officer)

    page = await client.get(f"cases/{number}")
    assert page["no"] == number and marker in page["body"]
    assert (page["region"], page["sphere"], page["status"]) == ("astana", "akimat", "delivered")
    assert page["region_name"] == region_name("astana") and page["place"] is None
    assert page["occurred"] == said(live, "ru", "This week")
    assert page["can"] == {"undo": False, "accept": True, "ask": True, "close": True, "move": True}
    acceptance = page["deadlines"]["acceptance"]
    assert acceptance["overdue"] is False and acceptance["left"].startswith("через")
    assert page["deadlines"]["answer"]["left"].startswith("через")
    assert [r["code"] for r in page["resolutions"]] == ["ref", "nc", "oc", "dup"]
    assert "astana" not in [r["code"] for r in page["regions"]] and page["regions"]
    assert page["history"] == [] and page["questions"] == [] and page["additions"] == []

    photo, document = page["files"]
    assert (photo["kind"], photo["name"], photo["image"]) == ("photo", f"case-{number}-1.jpg", True)
    assert (document["kind"], document["name"], document["image"]) == (
        "document",
        f"case-{number}-2.zip",
        False,
    )
    assert document["note"] == said(
        live,
        "ru",
        "⚠️ This file is kept as the reporter sent it. Its metadata (author, device, sometimes "
        "the location) or a voice in it may identify the reporter: do not pass it on outside "
        "the service.",
    )
    assert document["size_label"] == "1 кБ" and photo["note"] is None
    assert "Иванова" not in json.dumps(page, ensure_ascii=False)

    status, headers, body = await raw(client, "GET", f"cases/{number}/files/{photo['id']}")
    assert (status, headers["Content-Type"]) == (200, "image/jpeg")
    assert body.startswith(b"\xff\xd8\xff") and "Content-Disposition" not in headers
    assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = await raw(client, "GET", f"cases/{number}/files/{document['id']}")
    assert (status, headers["Content-Type"]) == (200, "application/octet-stream")
    assert headers["Content-Disposition"] == f'attachment; filename="case-{number}-2.zip"'
    assert body == ARCHIVE and headers["Cache-Control"] == "no-store"

    reads = await live.services.database.fetchall(
        "SELECT actor, action, region, at FROM audit WHERE report_id = ?", (case,)
    )
    assert [(r["action"], r["region"]) for r in reads] == [("read", "astana")]
    assert bytes(reads[0]["actor"]) == live.services.chats.actor(officer.id)
    assert reads[0]["at"]

    # A file of another case, through this case's number, is not there.
    _other, _code, _id, second = await astana_case(live, group, "Другой случай", files=True)
    other = await client.get(f"cases/{second}")
    foreign = other["files"][0]["id"]
    assert await client.call("GET", f"cases/{number}/files/{foreign}") == (
        404,
        {"error": "not_found"},
    )
    assert await client.call("GET", f"cases/{number}/files/nothing") == (
        404,
        {"error": "not_found"},
    )


async def test_a_masked_voice_is_played_on_the_page_and_one_kept_as_spoken_is_only_offered(
    workspace: Workspace,
) -> None:
    """Played from the page: the voice the sandbox masked, as OGG/Opus. A voice stored before
    masking existed is the reporter's own: a download under its warning, never a player."""
    live = workspace.live
    number = await stored_cases.filed(live, "astana")
    await stored_cases.voice(live, number, spoken("ru"))
    await stored_cases.voice_as_spoken(live, number, spoken("kk"))
    client = await workspace.login(await live.officer("astana", language="ru"))

    masked, kept = (await client.get(f"cases/{number}"))["files"]
    assert (masked["kind"], masked["name"], masked["audio"], masked["image"]) == (
        "voice",
        f"case-{number}-1.ogg",
        True,
        False,
    )
    with live.services.i18n.context(), live.services.i18n.use_locale("ru"):
        assert masked["note"] == file_note(FileKind.VOICE, cleaned=True, masked=True)
    assert (kept["kind"], kept["audio"], kept["image"]) == ("voice", False, False)
    assert kept["note"] == said(
        live,
        "ru",
        "⚠️ This file is kept as the reporter sent it. Its metadata (author, device, sometimes "
        "the location) or a voice in it may identify the reporter: do not pass it on outside "
        "the service.",
    )

    status, headers, body = await raw(client, "GET", f"cases/{number}/files/{masked['id']}")
    assert (status, headers["Content-Type"]) == (200, "audio/ogg")
    assert "Content-Disposition" not in headers and headers["X-Content-Type-Options"] == "nosniff"
    assert body != spoken("ru")
    with av.open(BytesIO(body)) as played:
        assert (played.format.name, played.streams.audio[0].codec_context.name) == ("ogg", "opus")
    status, headers, body = await raw(client, "GET", f"cases/{number}/files/{kept['id']}")
    assert (status, headers["Content-Type"]) == (200, "application/octet-stream")
    assert headers["Content-Disposition"] == f'attachment; filename="case-{number}-2.ogg"'
    assert body == spoken("kk")


async def test_a_case_outside_the_viewers_regions_is_answered_as_one_that_does_not_exist(
    workspace: Workspace,
) -> None:
    live = workspace.live
    group = await linked_astana(live)
    _person, _code, case, number = await astana_case(live, group, "Случай Астаны", files=True)
    [file_id] = [
        row["id"]
        for row in await live.services.database.fetchall(
            "SELECT id FROM attachments WHERE kind = 'photo'"
        )
    ]
    outsider = await workspace.login(await live.officer("abai"))
    before = await live.services.database.fetchall("SELECT action FROM audit")

    answers = set()
    for method, path, body in (
        ("GET", f"cases/{number}", None),
        ("GET", f"cases/{number + 1000}", None),
        ("GET", "cases/abc", None),
        ("GET", "cases/-1", None),
        ("GET", "cases/%D9%A3", None),
        ("GET", f"cases/{number}/files/{file_id}", None),
        ("GET", f"cases/{number + 1000}/files/{file_id}", None),
        ("POST", f"cases/{number}/accept", {}),
        ("POST", f"cases/{number + 1000}/accept", {}),
        ("POST", f"cases/{number}/close", {"resolution": "ref"}),
        ("POST", f"cases/{number}/move", {"region": "abai"}),
        ("POST", f"cases/{number}/ask", {"question": "?"}),
        ("POST", "cases/x/ask", {"question": "?"}),
    ):
        status, headers, answer = await raw(outsider, method, path, body)
        answers.add((status, headers["Content-Type"], answer))
    assert answers == {(404, "application/json; charset=utf-8", b'{"error": "not_found"}')}
    assert await live.services.database.fetchall("SELECT action FROM audit") == before
    row = await live.services.database.fetchone("SELECT status FROM reports WHERE id = ?", (case,))
    assert row["status"] == "delivered"


async def test_workspace_actions_show_on_the_card_and_in_status(workspace: Workspace) -> None:
    live = workspace.live
    group = await linked_astana(live)
    person, code, case, number = await astana_case(live, group, "Случай для действий")
    officer = await live.officer("astana", language="kk", first_name="Асқар")
    client = await workspace.login(officer)

    accepted = await client.post(f"cases/{number}/accept")
    assert (accepted["done"], accepted["message"]) == (True, said(live, "kk", "Accepted."))
    assert accepted["status"] == "accepted" and accepted["can"]["accept"] is False
    line = said(live, "kk", "✅ Accepted · {who} · {time}", who="Асқар", time="")
    assert accepted["history"][-1]["text"].startswith(line)
    assert said(live, CHAT, "✅ Accepted · {who} · {time}", who="Асқар", time="") in card_text(
        live, group, case
    )
    again = await client.post(f"cases/{number}/accept")
    assert (again["done"], again["message"]) == (False, said(live, "kk", "Already accepted."))

    for body in (
        {},
        {"question": "   "},
        {"question": 5},
        {"question": "я" * (QUESTION_LIMIT + 1)},
    ):
        status, answer = await client.call("POST", f"cases/{number}/ask", body)
        assert (status, answer["error"], answer["field"]) == (400, "invalid", "question"), body
    asked = await client.post(f"cases/{number}/ask", {"question": "Когда это было? ASK-7"})
    assert (asked["done"], asked["message"]) == (
        True,
        said(live, "kk", "The question was sent to the reporter."),
    )
    assert asked["status"] == "awaiting_reporter"
    [question] = asked["questions"]
    assert (question["question"], question["answer"]) == ("Когда это было? ASK-7", None)
    await live.sender.drain(within=3)
    sent = [m for m in live.api.messages_in(person.user) if "ASK-7" in (m.plain_text or "")]
    assert sent and said(
        live, CHAT, "❓ Question asked · {who} · {time}", who="Асқар", time=""
    ) in (card_text(live, group, case))

    # The reporter answers; the page holds the answer back while its relay waits.
    await person.press(sent[-1].buttons[0]["callback_data"], button="do:done")
    await person.say("Во вторник ANSWER-3", button="do:done")
    await live.services.database.execute(
        "UPDATE outbox SET next_attempt = next_attempt + 3600 WHERE kind = 'answer'"
    )
    held = await client.get(f"cases/{number}")
    assert held["questions"][0]["answer"] is None and held["questions"][0]["answered"] is None
    assert held["status"] == "awaiting_reporter", "nor does the status tell it came"
    assert "ANSWER-3" not in json.dumps(held, ensure_ascii=False)
    board = await client.get("cases?status=awaiting_reporter")
    assert [c["no"] for c in board["cases"]] == [number], "nor the board, its filter and counts"
    assert board["counts"].get("accepted", 0) == 0
    assert (await client.get("cases?status=accepted"))["cases"] == []
    await live.services.database.execute(
        "UPDATE outbox SET next_attempt = next_attempt - 3600 WHERE kind = 'answer'"
    )
    await live.sender.drain(within=3)
    released = await client.get(f"cases/{number}")
    assert released["status"] == "accepted"
    assert [c["no"] for c in (await client.get("cases?status=accepted"))["cases"]] == [number]
    answered = released["questions"][0]
    assert answered["answer"] == "Во вторник ANSWER-3" and answered["answered"]

    for body in ({}, {"resolution": "nope"}):
        status, answer = await client.call("POST", f"cases/{number}/close", body)
        assert (status, answer["field"]) == (400, "resolution")
    closed = await client.post(f"cases/{number}/close", {"resolution": "nc"})
    result = said(live, "kk", "Not confirmed")
    assert closed["done"] and closed["message"] == said(
        live, "kk", "Closed: {resolution}. It can be undone for a minute.", resolution=result
    )
    assert closed["status"] == "closed" and not any(closed["can"].values())
    assert said(
        live,
        CHAT,
        "🏁 Closed: {result} · {who} · {time}",
        result=said(live, CHAT, "Not confirmed"),
        who="Асқар",
        time="",
    ) in card_text(live, group, case)
    for action, body in (
        ("accept", {}),
        ("ask", {"question": "Ещё?"}),
        ("close", {"resolution": "ref"}),
        ("move", {"region": "abai"}),
    ):
        assert await client.call("POST", f"cases/{number}/{action}", body) == (
            409,
            {"error": "closed"},
        )

    history = await status_of(person, code)
    for event in ("Accepted for review", "The service asked you a question"):
        assert said(live, "ru", event) in history
    assert said(live, "ru", "Closed. Result: {resolution}", resolution="") in history
    actions = [
        r["action"]
        for r in await live.services.database.fetchall(
            "SELECT action FROM audit WHERE report_id = ? ORDER BY id", (case,)
        )
    ]
    # Ask and Close read the case first, as their menus in the chat do; so does each page.
    assert actions == ["accepted", "read", "asked", "read", "read", "read", "closed"]


async def test_chat_buttons_show_on_the_page_and_a_move_takes_the_case_away(
    workspace: Workspace,
) -> None:
    live = workspace.live
    group = await linked_astana(live)
    person, code, case, number = await astana_case(live, group, "Случай для кнопок")
    officer: FakeUser = await live.officer("astana", first_name="Ерлан")
    client = await workspace.login(officer)

    await press_in(live.api, officer, group, data("acc", case))
    page = await client.get(f"cases/{number}")
    assert page["status"] == "accepted" and page["can"]["accept"] is False
    assert page["history"][-1]["text"].startswith(
        said(live, "ru", "✅ Accepted · {who} · {time}", who="Ерлан", time="")
    )

    await person.command(f"/status {code}", button="do:addinfo")
    await person.press("do:addinfo", button="do:done")
    await person.say("Кабинет 214 ADD-5", button="do:done")
    [addition] = (await client.get(f"cases/{number}"))["additions"]
    assert addition["text"] == "Кабинет 214 ADD-5" and addition["at"]

    status, answer = await client.call("POST", f"cases/{number}/move", {"region": "astana"})
    assert (status, answer["field"]) == (400, "region")
    moved = await client.post(f"cases/{number}/move", {"region": "abai"})
    abai = said(live, "ru", "Sent to {region}.", region=region_name("abai"))
    assert (moved["done"], moved["message"], moved["visible"]) == (True, abai, False)
    assert "body" not in moved
    card = card_in(live, group, case)
    assert card.buttons == [], "the card in the old region loses its buttons"
    assert said(
        live,
        CHAT,
        "↪️ Sent to {region} · {who} · {time}",
        region=region_name("abai", CHAT),
        who="Ерлан",
        time="",
    ) in (card.plain_text or "")
    assert await client.call("GET", f"cases/{number}") == (404, {"error": "not_found"})
    assert said(
        live, "ru", "Passed to the department of another region: {region}", region=""
    ) in await status_of(person, code)
    abai_officer = await workspace.login(await live.officer("abai"))
    assert (await abai_officer.get(f"cases/{number}"))["status"] == "new"


async def test_a_close_is_undone_from_the_page_within_its_window_only(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    async for workspace in workspace_bot(fake_api, tmp_path, close_undo_seconds=60):
        live = workspace.live
        group = await linked_astana(live)
        _person, _code, case, number = await astana_case(live, group, "UNDO-5")
        officer = await live.officer("astana", language="ru", first_name="Aidos")
        client = await workspace.login(officer)
        closed = await client.post(f"cases/{number}/close", {"resolution": "nc"})
        assert closed["status"] == "closed" and closed["can"]["undo"] is True
        assert [b.get("text") for b in card_in(live, group, case).buttons] == [
            said(live, "kk", "↩️ Undo")  # the chat's card, in the department's language
        ]
        undone = await client.post(f"cases/{number}/undo")
        assert undone["done"] and undone["message"] == said(
            live, "ru", "Close undone: the case is open again."
        )
        assert undone["status"] != "closed" and undone["can"]["undo"] is False
        assert (await client.call("POST", f"cases/{number}/undo", {}))[0] == 409
        await client.post(f"cases/{number}/close", {"resolution": "nc"})
        await live.services.database.execute("UPDATE close_undo SET until = until - 3600")
        late = await client.post(f"cases/{number}/undo")
        assert not late["done"] and late["message"] == said(
            live, "ru", "Too late to undo: the close is final."
        )
        assert late["status"] == "closed"
