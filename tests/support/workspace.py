"""The web workspace in the tests: the live bot with its web server, Telegram's signed
``initData`` as a Mini App receives it, and a client that signs in and calls the API."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.workspace.initdata import sign
from tests.fakeapi import FakeBotAPI, FakeUser
from tests.support.live import Live, free_port, live_bot

BOT_TOKEN = "42:TEST"
WEBAPP_URL = "https://adal.example.kz/app/"


def init_data(
    user: FakeUser | int,
    *,
    token: str = BOT_TOKEN,
    auth_date: float | None = None,
    language: str | None = None,
    **fields: str,
) -> str:
    """``initData`` for ``user`` signed as Telegram signs it for the bot of ``token``."""
    user_id = user if isinstance(user, int) else user.id
    person: dict[str, Any] = {"id": user_id, "first_name": "Test"}
    code = language or (None if isinstance(user, int) else user.language_code)
    if code:
        person["language_code"] = code
    values = {
        "auth_date": str(int(time.time() if auth_date is None else auth_date)),
        "query_id": f"AAH{user_id}",
        "user": json.dumps(person, separators=(",", ":")),
        **fields,
    }
    return urlencode({**values, "hash": sign(values, token)})


@dataclass
class Workspace:
    """The live bot and the address of its workspace (``base``: ``http://…/app/``)."""

    live: Live
    base: str
    http: aiohttp.ClientSession = field(repr=False)

    async def login(self, user: FakeUser | int, **options: Any) -> WorkspaceClient:
        client = WorkspaceClient(self)
        status, body = await client.call(
            "POST", "session", {"init_data": init_data(user, **options)}
        )
        assert status == 200, body
        client.token, client.csrf = body["token"], body["csrf"]
        client.me = body
        return client


@dataclass
class WorkspaceClient:
    workspace: Workspace
    token: str | None = None
    csrf: str | None = None
    me: dict[str, Any] = field(default_factory=dict)

    async def call(
        self, method: str, path: str, body: Any = None, *, csrf: bool = True
    ) -> tuple[int, Any]:
        """(status, JSON body or raw bytes) of ``method`` on ``api/path``."""
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if csrf and self.csrf and method != "GET":
            headers["X-CSRF-Token"] = self.csrf
        async with self.workspace.http.request(
            method, f"{self.workspace.base}api/{path}", json=body, headers=headers
        ) as response:
            raw = await response.read()
            if response.content_type == "application/json":
                return response.status, json.loads(raw)
            return response.status, raw

    async def get(self, path: str) -> Any:
        status, body = await self.call("GET", path)
        assert status == 200, (path, status, body)
        return body

    async def post(self, path: str, body: Any = None) -> Any:
        status, answer = await self.call("POST", path, body if body is not None else {})
        assert status == 200, (path, status, answer)
        return answer


async def workspace_bot(
    api: FakeBotAPI, workdir: Path, **overrides: object
) -> AsyncIterator[Workspace]:
    """The live bot with ``WEBAPP_URL`` set, its workspace served on a free local port; what it
    logs at INFO, as it runs, is written to ``workspace.log`` in ``workdir`` for the leak grep."""
    port = free_port()
    log = logging.FileHandler(workdir / "workspace.log", encoding="utf-8")
    log.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(log)
    root.setLevel(logging.INFO)
    try:
        async for live in live_bot(api, workdir, webapp_url=WEBAPP_URL, web_port=port, **overrides):
            runtime_server = live.runtime.workspace_server(live.dispatcher)
            async with runtime_server, aiohttp.ClientSession() as http:
                yield Workspace(live, f"http://127.0.0.1:{port}/app/", http)
    finally:
        root.removeHandler(log)
        root.setLevel(level)
        log.close()
