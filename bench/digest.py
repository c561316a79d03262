"""Scenario 2: a digest of pending reports to every department, without and with the limits."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
import shutil
from pathlib import Path

from bench.bots import BotConfig, Watched, bot_process, services_of
from bench.people import BODY
from bench.profiles import sampled, summary
from bench.replay import UPLOAD
from bench.results import Section, mb
from bench.sizes import Sizes
from bench.timed_api import TimedAPI, running_api
from bot.core import receipt
from bot.core.clock import new_id
from bot.reports.evidence import FileKind, IncomingFile
from bot.reports.service import Submission
from tests.fakeapi import FakeChat

MAX_CPU_SECONDS = 10.0
TELEGRAM_GLOBAL_LIMIT = 30
"""Messages per second to all chats together."""
TELEGRAM_GROUP_LIMIT = 20 / 60
"""Messages per second to one group (20 a minute)."""
DRAIN_TIMEOUT = 900.0
EVIDENCE_BYTES = 60 * 1024


async def _seed(config: BotConfig, groups: list[FakeChat], sizes: Sizes) -> None:
    """One group chat linked to each department; pending reports spread evenly over them."""
    async with services_of(config) as services:
        regions = [entry.code for entry in services.catalog.regions][: len(groups)]
        spheres = [entry.code for entry in services.catalog.categories]
        for region, group in zip(regions, groups, strict=True):
            code = await services.departments.invite(region)
            assert code is not None
            await services.departments.join(code, group.id, "group")
        for index in range(sizes.digest_reports):
            draft_id = new_id()
            if index % sizes.evidence_every == 0:
                photo = IncomingFile(f"seed-{index}", FileKind.PHOTO, None)
                evidence = b"\xff\xd8\xff\xe0" + os.urandom(EVIDENCE_BYTES)
                await services.reports.add_draft_file(draft_id, photo, evidence)
            await services.reports.submit(
                Submission(
                    draft_id=draft_id,
                    receipt_code=receipt.generate(),
                    region=regions[index % len(regions)],
                    category=spheres[index % len(spheres)],
                    occurred="week",
                    place="Пост ДПС на въезде в город" if index % 2 else None,
                    body=f"{BODY} №{index}",
                    contact_chat_id=None,
                    locale="ru",
                )
            )


def _write_requests(api: TimedAPI, path: Path) -> None:
    """The messages the digest sent, for bench/replay.py."""
    lines = []
    for request in api.sent_messages():
        params = dict(request.params)
        if request.method == "sendPhoto":
            del params["photo"]
            photo = api.files[request.result["photo"][-1]["file_id"]]
            params[UPLOAD] = base64.b64encode(photo.data).decode()
        lines.append(json.dumps({"method": request.method, "params": params}))
    path.write_text("\n".join(lines))


def _cpu(cost: dict[str, float]) -> float:
    return cost["user"] + cost["system"]


async def _first_message(api: TimedAPI, bot: Watched, after: int) -> float:
    while not api.sent_messages(after):
        if bot.process.returncode is not None:
            raise RuntimeError("the digest ended before sending anything")
        await asyncio.sleep(0.05)
    return api.sent_messages(after)[0].time


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("2. Digest")
    async with running_api() as api:
        groups = [api.make_group(title=f"Department {n}") for n in range(sizes.departments)]
        free = BotConfig(api.base_url, workdir / "free" / "data", {"SEND_INTERVAL_SECONDS": "0"})
        await _seed(free, groups, sizes)
        limited = dataclasses.replace(free, data_dir=workdir / "limited" / "data", extra={})
        shutil.copytree(free.data_dir, limited.data_dir)

        cost_file = workdir / "digest-cost.json"
        async with (
            bot_process(free, "bench.bot_entry", "digest", str(cost_file)) as bot,
            sampled(bot.process.pid, workdir / "digest.spy"),
        ):
            await bot.wait(DRAIN_TIMEOUT)
        cost = json.loads(cost_file.read_text())
        messages = len(api.sent_messages())
        _write_requests(api, workdir / "requests.jsonl")
        replay = (workdir / "requests.jsonl", workdir / "replay-cost.json")
        async with bot_process(free, "bench.replay", *map(str, replay)) as sender:
            await sender.wait(DRAIN_TIMEOUT)
        floor = json.loads(replay[1].read_text())

        api.set_rate_limit(TELEGRAM_GLOBAL_LIMIT)
        mark = api.mark()
        async with bot_process(limited, "bench.bot_entry", "digest", os.devnull) as bot:
            started = await _first_message(api, bot, mark)
            busy = bot.cpu_seconds()
            await asyncio.sleep(sizes.limited_seconds)
            busy = (bot.cpu_seconds() - busy) / sizes.limited_seconds
        window = [r for r in api.sent_messages(mark) if r.time <= started + sizes.limited_seconds]
        refused = sum(r.status == 429 for r in api.requests[mark:])

    cpu = _cpu(cost)
    section.add("reports, departments", f"{sizes.digest_reports}, {sizes.departments}")
    section.add("messages (headers, cards, photos)", str(messages))
    section.add("wall time, no limits", f"{cost['wall']:.1f} s")
    section.add(
        "CPU time, no limits",
        f"{cpu:.1f} s (user {cost['user']:.1f} + system {cost['system']:.1f})",
        f"≤ {MAX_CPU_SECONDS:.0f} s",
        cpu <= MAX_CPU_SECONDS,
    )
    section.add(
        "CPU time of bare aiogram sending the same messages",
        f"{_cpu(floor):.1f} s ({_cpu(floor) / cpu:.0%} of the digest's)",
    )
    section.add("peak RSS, no limits", mb(cost["peak_rss"]))
    ceiling = min(TELEGRAM_GLOBAL_LIMIT, sizes.departments * TELEGRAM_GROUP_LIMIT)
    rate = (len(window) - sizes.departments) / sizes.limited_seconds  # after each chat's first
    section.add(
        "messages/s under Telegram's limits",
        f"{rate:.2f} ({rate / ceiling:.0%} of the limit)",
        f"limit {ceiling:.2f}/s",
    )
    section.add("429 answers under the limits", str(refused))
    section.add("bot CPU while sending under the limits", f"{busy:.0%} of a core")
    section.notes.append(
        f"{sizes.digest_reports} reports (one in {sizes.evidence_every} with a "
        f"{EVIDENCE_BYTES // 1024} KB photo) are stored with `ReportService.submit` and "
        f"{sizes.departments} department group chats linked by invite; then `run_digest` (what "
        "`python -m bot digest` runs) queues and sends everything, in its own process, timed "
        "from inside it so that the interpreter's start and imports are left out; "
        "`bench/replay.py` then sends the very same requests with bare aiogram, for the floor. "
        "Without limits means no rate limit in the fake server and `SEND_INTERVAL_SECONDS=0`. "
        "Under the limits, "
        f"the same database goes out with the default `SEND_INTERVAL_SECONDS` (3 s per chat, "
        f"Telegram's 20 messages a minute in a group) and the fake server answering 429 beyond "
        f"{TELEGRAM_GLOBAL_LIMIT} messages a second; the rate is measured over the first "
        f"{sizes.limited_seconds:.0f} s of sending, leaving out each chat's first message (they "
        f"all go at once). With {sizes.departments} groups the limit is "
        f"{sizes.departments} × 20/min = {ceiling:.2f} messages/s (below the global "
        f"{TELEGRAM_GLOBAL_LIMIT}/s)."
    )
    profile = summary(workdir / "digest.spy", within="run_digest")
    if section.missed and profile is not None:
        section.notes.append(profile.markdown("Profile of `run_digest` without limits"))
    return section
