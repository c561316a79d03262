"""Scenario 8: the workspace's case board with 5,000 cases in an officer's region, asked over
HTTP of ``python -m bot`` (polling mode, the workspace on ``WEB_PORT``), on SQLite and, when the
tests' servers are set (``bench/servers.py``), on PostgreSQL + Redis.

The reports are filed through ``ReportService.submit`` (sealed as the dialog seals them), then
spread over four months and over the statuses in one transaction; the officer is invited and
joins through ``Roster``. Each request is timed from the driver, from sending it to the last
byte of its answer: the session's check, the SQL, opening the texts, the Babel formatting.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import aiohttp

from bench.bots import ADMIN_ID, BotConfig, bot_process, services_of
from bench.people import BODY
from bench.results import Section, ms, percentile
from bench.servers import missing, shared_servers
from bench.sizes import Sizes
from bench.timed_api import running_api
from bot.app import Services
from bot.core import receipt
from bot.core.clock import new_id, utc_now
from bot.departments.roster import Person, Role
from bot.reports.service import Submission
from storage.times import iso_hour
from tests.fakeapi.fixtures import TEST_TOKEN
from tests.support.live import free_port
from tests.support.workspace import WEBAPP_URL, init_data

MAX_P95 = 0.300
MAX_PAGE_BYTES = 200 * 1024
REGION = "astana"
OFFICER_ID = 700100200
MARKER = "откат"
"""A word in one case in ten: what the search looks for."""
MARKED_EVERY = 10
STATUSES = ("new",) * 3 + ("delivered",) * 3 + ("accepted",) * 2 + ("awaiting_reporter", "closed")
DAYS_SPREAD = 120
BODY_CHARS = (150, 1000)
TEXT = BODY * (BODY_CHARS[1] // len(BODY) + 1)
REQUESTS = {
    "no filter, page 1": "cases",
    "status filter": "cases?status=accepted",
    "full-text search": f"cases?q={MARKER}",
}
WARM_UP = 3


@dataclass(frozen=True)
class Board:
    timings: dict[str, list[float]]
    answer_bytes: int
    """Page 1's answer without filters."""


async def _seed(services: Services, count: int) -> None:
    rng = random.Random(count)
    for index in range(count):
        body = TEXT[: rng.randint(*BODY_CHARS)]
        if index % MARKED_EVERY == 0:
            body = f"{body} {MARKER.upper()}"
        await services.reports.submit(
            Submission(
                new_id(),
                receipt.generate(),
                REGION,
                rng.choice(services.catalog.categories).code,
                "week",
                "Пост ДПС на въезде в город" if index % 2 else None,
                body,
                None,
                "ru",
                urgent=index % 25 == 0,
            )
        )
    now = utc_now()
    async with services.database.transaction() as conn:
        await conn.executemany(
            "UPDATE reports SET status = ?, created_at = ? WHERE case_no = ?",
            [
                (
                    rng.choice(STATUSES),
                    iso_hour(now - timedelta(hours=rng.randint(0, DAYS_SPREAD * 24))),
                    number,
                )
                for number in range(1, count + 1)
            ],
        )
    code = await services.roster.invite(REGION, Role.OFFICER, ADMIN_ID)
    assert code is not None
    assert await services.roster.join(code, Person(OFFICER_ID, "Bench Officer"))


async def _measure(sizes: Sizes, workdir: Path, servers: dict[str, str] | None) -> Board:
    port = free_port()
    extra = {"WEBAPP_URL": WEBAPP_URL, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}
    base = f"http://127.0.0.1:{port}/app/api/"
    async with running_api() as api:
        config = BotConfig(api.base_url, workdir / "data", {**extra, **(servers or {})})
        async with services_of(config) as services:
            await _seed(services, sizes.board_cases)
        async with bot_process(config, "bot", api=api), aiohttp.ClientSession() as http:
            return await _requests(sizes, base, http)


async def _requests(sizes: Sizes, base: str, http: aiohttp.ClientSession) -> Board:
    """Sign in as the officer, then ask the board, each kind of request in turn."""
    raw = init_data(OFFICER_ID, token=TEST_TOKEN, language="ru")
    async with http.post(f"{base}session", json={"init_data": raw}) as response:
        assert response.status == 200, await response.text()
        headers = {"Authorization": f"Bearer {(await response.json())['token']}"}

    async def ask(path: str) -> tuple[float, dict[str, Any], int]:
        began = time.perf_counter()
        async with http.get(base + path, headers=headers) as response:
            body = await response.read()
        took = time.perf_counter() - began
        assert response.status == 200, body[:200]
        return took, json.loads(body), len(body)

    expected: dict[str, Callable[[int], bool]] = {
        "no filter, page 1": lambda total: total == sizes.board_cases,
        "status filter": lambda total: 0 < total < sizes.board_cases,
        "full-text search": lambda total: total == -(-sizes.board_cases // MARKED_EVERY),
    }
    timings: dict[str, list[float]] = {name: [] for name in REQUESTS}
    for turn in range(WARM_UP + sizes.board_requests):
        for name, path in REQUESTS.items():
            took, answer, _ = await ask(path)
            assert expected[name](answer["total"]), (name, answer["total"])
            if turn >= WARM_UP:
                timings[name].append(took)
    return Board(timings, (await ask(REQUESTS["no filter, page 1"]))[2])


def _describe(section: Section, where: str, board: Board) -> None:
    for name, timings in board.timings.items():
        p95 = percentile(timings, 0.95)
        section.add(f"{name}: p50{where}", ms(percentile(timings, 0.50)))
        section.add(f"{name}: p95{where}", ms(p95), f"< {ms(MAX_P95)}", p95 < MAX_P95)


def _page_bytes(answer: int) -> int:
    """Every file the workspace serves (``app.js`` imports every part's module) and ``answer``."""
    return answer + sum(len(entry.read_bytes()) for entry in (files("web") / "static").iterdir())


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("8. Case board")
    section.add(
        "cases in the officer's region, requests of each kind",
        f"{sizes.board_cases:,}, {sizes.board_requests}",
    )
    sqlite = await _measure(sizes, workdir / "sqlite", None)
    _describe(section, "", sqlite)
    page = _page_bytes(sqlite.answer_bytes)
    section.add(
        "page weight: every static file, page 1's answer",
        f"{page / 1024:.0f} KB",
        f"< {MAX_PAGE_BYTES // 1024} KB",
        page < MAX_PAGE_BYTES,
    )
    section.notes.append(
        f"{sizes.board_cases:,} reports filed in one region through `ReportService.submit` "
        f"(sealed text of {BODY_CHARS[0]}–{BODY_CHARS[1]} Cyrillic characters, a sealed place "
        f"for half, the word «{MARKER.upper()}» in one in {MARKED_EVERY}), then spread over "
        f"{DAYS_SPREAD} days and the statuses (30% new, 30% delivered, 20% accepted, 10% "
        "waiting for the reporter, 10% closed); an officer of that region joins through the "
        "roster and signs in with a signed `initData`. `python -m bot` (polling, the workspace "
        "on `WEB_PORT`) answers `GET /app/api/cases` without filters (page 1 of 50), with "
        f"`status=accepted`, and with `q={MARKER}` (every case's text and place opened and "
        f"searched for the request), {sizes.board_requests} times each in turns after "
        f"{WARM_UP} turns of warm-up, one request at a time, each timed from the driver until "
        "the last byte of the answer. The page weight adds every file of `web/static` (the "
        "shell, its stylesheet, and the modules, which `app.js` imports all at once; Telegram's "
        "`telegram-web-app.js` aside) to page 1's answer, uncompressed."
    )
    reason = missing()
    if reason is not None:
        section.add("PostgreSQL", f"not run: {reason}")
        return section
    async with shared_servers(workdir) as servers:
        postgres = await _measure(sizes, workdir / "postgres", servers)
    _describe(section, " (PostgreSQL)", postgres)
    section.notes.append(
        "PostgreSQL: the same, on a fresh database of the server of `ADAL_TEST_DATABASE_URL` "
        "and its Redis (the same machine)."
    )
    return section
