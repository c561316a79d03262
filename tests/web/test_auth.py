"""Who gets into the workspace: Telegram's signed initData, exchanged once for a session of a
person on the roster (or an admin), checked again on every request."""

from __future__ import annotations

import time

import pytest

from tests.support.live import ADMIN_ID, said
from tests.support.workspace import WEBAPP_URL, Workspace, WorkspaceClient, init_data


async def refused_login(workspace: Workspace, raw: str) -> tuple[int, object]:
    return await WorkspaceClient(workspace).call("POST", "session", {"init_data": raw})


async def test_an_officer_signs_in_and_sees_only_their_regions(workspace: Workspace) -> None:
    officer = await workspace.live.officer("astana", language="kk")
    client = await workspace.login(officer)
    assert [region["code"] for region in client.me["regions"]] == ["astana"]
    assert client.me["admin"] is False
    assert client.me["locale"] == "kk"
    me = await client.get("me")
    assert [region["code"] for region in me["regions"]] == ["astana"]


async def test_an_admin_sees_every_region(workspace: Workspace) -> None:
    client = await workspace.login(ADMIN_ID)
    assert client.me["admin"] is True
    assert len(client.me["regions"]) == len(workspace.live.services.catalog.regions)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda user: init_data(user, token="43:OTHER"), id="another-bots-token"),
        pytest.param(lambda user: init_data(user, auth_date=time.time() - 3700), id="expired"),
        pytest.param(lambda user: init_data(user, auth_date=time.time() + 3600), id="future"),
        pytest.param(
            lambda user: init_data(user).replace("auth_date=", "auth_date=1"), id="tampered"
        ),
        pytest.param(lambda user: init_data(user).split("&hash=")[0], id="unsigned"),
        pytest.param(lambda user: init_data(user) + "&auth_date=1", id="repeated-field"),
        pytest.param(lambda user: "", id="empty"),
        pytest.param(lambda user: "%%%", id="garbage"),
    ],
)
async def test_forged_initdata_is_refused_alike(workspace: Workspace, forge) -> None:
    officer = await workspace.live.officer("astana")
    status, body = await refused_login(workspace, forge(officer))
    assert (status, body) == (401, {"error": "unauthorized"})


async def test_initdata_is_exchanged_once(workspace: Workspace) -> None:
    officer = await workspace.live.officer("astana")
    raw = init_data(officer)
    first = await refused_login(workspace, raw)
    assert first[0] == 200
    assert await refused_login(workspace, raw) == (401, {"error": "unauthorized"})


async def test_a_person_off_the_roster_is_refused_alike(workspace: Workspace) -> None:
    stranger = workspace.live.api.make_user(language_code="ru")
    assert await refused_login(workspace, init_data(stranger)) == (
        401,
        {"error": "unauthorized"},
    )


async def test_removal_from_the_roster_ends_the_session_at_once(workspace: Workspace) -> None:
    live = workspace.live
    officer = await live.officer("astana", username="aigul_s")
    client = await workspace.login(officer)
    assert (await client.call("GET", "me"))[0] == 200
    mark = live.api.mark()
    live.api.send_command(live.admin, "/remove astana @aigul_s")
    await live.api.next_reply(live.admin, after=mark)
    assert await client.call("GET", "me") == (401, {"error": "unauthorized"})


async def test_a_forged_or_missing_token_is_refused(workspace: Workspace) -> None:
    officer = await workspace.live.officer("astana")
    client = await workspace.login(officer)
    assert client.token is not None
    for token in ("", "abc", client.token[:-4] + "AAAA", client.token + "x"):
        client.token = token
        assert await client.call("GET", "me") == (401, {"error": "unauthorized"})


async def test_a_change_needs_the_sessions_csrf_value(workspace: Workspace) -> None:
    officer = await workspace.live.officer("astana")
    client = await workspace.login(officer)
    assert await client.call("POST", "language", {"locale": "kk"}, csrf=False) == (
        403,
        {"error": "csrf"},
    )
    client.csrf = "forged"
    assert await client.call("POST", "language", {"locale": "kk"}) == (403, {"error": "csrf"})


async def test_the_language_is_switched_and_saved_for_the_bot_too(workspace: Workspace) -> None:
    officer = await workspace.live.officer("astana", language="ru")
    client = await workspace.login(officer)
    assert client.me["locale"] == "ru"
    switched = await client.post("language", {"locale": "kk"})
    assert switched["locale"] == "kk"
    assert switched["strings"]["nav.cases"] != client.me["strings"]["nav.cases"]
    assert (await client.get("me"))["locale"] == "kk"
    assert (await client.call("POST", "language", {"locale": "en"}))[0] == 400


async def test_pages_carry_strict_security_headers(workspace: Workspace) -> None:
    async with workspace.http.get(workspace.base) as page:
        assert page.status == 200
        policy = page.headers["Content-Security-Policy"]
        html = await page.text()
    assert "default-src 'none'" in policy
    assert "script-src 'self' https://telegram.org" in policy
    assert "unsafe-inline" not in policy
    assert "media-src blob:;" in policy, "voices play from the page's own blobs only"
    assert "frame-ancestors 'self' https://web.telegram.org" in policy
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in html and "style=" not in html
    for path in ("static/app.py", "static/..%2F..%2Fsecurity.py", "static/%2e%2e%2fdeps.py"):
        async with workspace.http.get(workspace.base + path) as escaped:
            assert escaped.status == 404, path


async def test_the_workspace_opens_from_a_button_in_the_private_chat(workspace: Workspace) -> None:
    live = workspace.live
    api = live.api
    mark = api.mark()
    officer = await live.officer("astana")
    joined = await api.next_reply(officer, after=mark)
    assert [b.get("web_app") for b in joined.buttons] == [{"url": WEBAPP_URL}]
    mark = api.mark()
    api.send_command(officer, "/workspace")
    reply = await api.next_reply(officer, after=mark)
    assert [b.get("web_app") for b in reply.buttons] == [{"url": WEBAPP_URL}]
    assert api.menu_buttons[officer.id]["web_app"] == {"url": WEBAPP_URL}
    stranger = api.make_user(language_code="ru")
    mark = api.mark()
    api.send_command(stranger, "/workspace")
    refused = await api.next_reply(stranger, after=mark)
    assert refused.plain_text == said(live, "ru", "Only the department's officers can do this.")
    assert not refused.buttons
    assert stranger.id not in api.menu_buttons


async def test_without_a_saved_choice_every_answer_speaks_telegrams_language(
    workspace: Workspace,
) -> None:
    officer = workspace.live.api.make_user(language_code="ru")
    await workspace.live.enrol(officer, "astana")
    services = workspace.live.services
    key = services.pseudonyms.digest("user", officer.id)
    assert await services.repositories.prefs.get_locale(key) is None
    assert services.settings.default_locale == "kk"
    client = await workspace.login(officer, language="ru")
    assert client.me["locale"] == "ru"
    assert (await client.get("me"))["locale"] == "ru"
