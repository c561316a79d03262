"""Scenario 6: hostile evidence files from many accounts at once, other citizens filing meanwhile.

Each attacker walks the dialog to the evidence step, then sends one file of each hostile kind of
``tests/support/hostile.py`` at once. The bot (``python -m bot``) cleans them in its sandbox, one
child at a time; its RSS and its cleaning children's are sampled together with psutil, and the peak
of the sum is the figure. Meanwhile other citizens keep filing reports with a photo, round after
round until every hostile file is answered; their latencies are set beside those of the same
crowd before the attack.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.bots import BotConfig, bot_process
from bench.people import CrowdRun, crowd, has_button, report_script
from bench.results import Section, mb, ms, percentile
from bench.sizes import Sizes
from bench.timed_api import TimedAPI, running_api
from bot.cleaning.sandbox import SandboxLimits
from tests.fakeapi import FakeUser
from tests.support.hostile import (
    AT_BUDGET,
    CMYK_SIZE,
    cmyk_jpeg,
    docx_bomb,
    huge_png,
    nested_video,
    png_with_icc,
    webp_bomb,
)

MAX_FAMILY_RSS = 400 * 1024 * 1024
CHILD_MODULE = "bot.cleaning.child"
SAMPLE_SECONDS = 0.01
ANSWER_TIMEOUT = 900.0
EVIDENCE_STEP = 7
"""The first steps of ``report_script``: up to the evidence step."""
REGION = "abai"
LANGUAGES = ("kk", "ru")


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[], bytes]
    video: bool = False
    """Sent as a video rather than as a file."""


HOSTILE = (
    Hostile("lossless WebP of 9,400 × 9,400", webp_bomb),
    Hostile("PNG with ICC, 15.9 MP, EXIF orientation 6", lambda: png_with_icc(*AT_BUDGET)),
    Hostile("CMYK JPEG of 70 MP", lambda: cmyk_jpeg(*CMYK_SIZE)),
    Hostile("PNG declaring 65,535 × 65,535", huge_png),
    Hostile("video of 1,200 nested boxes", nested_video, video=True),
    Hostile("DOCX unpacking to 300 MB", docx_bomb),
)


class FamilyRss:
    """The peak RSS of the bot plus its cleaning children's, sampled until ``stop``."""

    def __init__(self, pid: int) -> None:
        self._root = psutil.Process(pid)
        self.peak = self.own_peak = self.children_peak = 0
        self._task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        while True:
            own = self._root.memory_info().rss
            children = 0
            for child in self._root.children(recursive=True):
                with contextlib.suppress(psutil.NoSuchProcess):
                    # Between fork and exec a child still shows the bot's own memory.
                    if CHILD_MODULE in child.cmdline():
                        children += child.memory_info().rss
            self.own_peak = max(self.own_peak, own)
            self.children_peak = max(self.children_peak, children)
            self.peak = max(self.peak, own + children)
            await asyncio.sleep(SAMPLE_SECONDS)

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def _people(api: TimedAPI, count: int) -> list[FakeUser]:
    return [api.make_user(language_code=LANGUAGES[index % 2]) for index in range(count)]


def _send(api: TimedAPI, user: FakeUser, hostile: Hostile, data: bytes) -> None:
    if hostile.video:
        api.send_video(user, data)
    else:
        api.send_document(user, data, file_name="evidence", mime_type="application/octet-stream")


async def _answers(api: TimedAPI, attackers: list[FakeUser], each: int, after: int) -> list[list]:
    """Every attacker's replies, in order, once each has one per file it sent."""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while True:
        replies: dict[int, list] = {user.id: [] for user in attackers}
        for request in api.sent_messages(after):
            if request.message is not None and request.message.chat_id in replies:
                replies[request.message.chat_id].append(request.message)
        if all(len(sent) >= each for sent in replies.values()):
            return list(replies.values())
        if time.monotonic() > deadline:
            raise TimeoutError(f"hostile files unanswered after {ANSWER_TIMEOUT:.0f} s")
        await asyncio.sleep(0.2)


async def _bystanders(api: TimedAPI, count: int, until: asyncio.Task[list[list]]) -> CrowdRun:
    """Crowds of ``count`` new citizens filing a report each, one after another, until ``until``
    is done (at least one crowd); their latencies together."""
    together = CrowdRun(0)
    while True:
        round_ = await crowd(api, _people(api, count), lambda _user: report_script(REGION))
        together.people += round_.people
        together.updates += round_.updates
        together.latencies += round_.latencies
        if until.done():
            return together


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("6. Hostile files")
    samples = [(hostile, hostile.make()) for hostile in HOSTILE]
    async with running_api() as api:
        config = BotConfig(api.base_url, workdir / "adal" / "data")
        async with bot_process(config, "bot", api=api) as bot:
            script = report_script(REGION)
            calm = await crowd(api, _people(api, sizes.bystanders), lambda _user: script)
            attackers = _people(api, sizes.attackers)
            await crowd(api, attackers, lambda _user: script[:EVIDENCE_STEP])
            family = FamilyRss(bot.process.pid)
            mark, started = api.mark(), time.monotonic()
            for user in attackers:
                for hostile, data in samples:
                    _send(api, user, hostile, data)
            answered = asyncio.create_task(_answers(api, attackers, len(samples), mark))
            attacked = await _bystanders(api, sizes.bystanders, answered)
            replies = await answered
            seconds = time.monotonic() - started
            await family.stop()

    limits = SandboxLimits()
    section.add("accounts at once, hostile files each", f"{sizes.attackers} × {len(samples)}")
    section.add(
        "peak RSS, bot and its cleaning children",
        mb(family.peak),
        f"< {mb(MAX_FAMILY_RSS)}",
        family.peak < MAX_FAMILY_RSS,
    )
    section.add("peak RSS, bot alone", mb(family.own_peak))
    section.add("peak RSS, cleaning children together", mb(family.children_peak))
    section.add("all hostile files answered in", f"{seconds:.1f} s")
    for index, (hostile, _data) in enumerate(samples):
        refused = sum(not has_button("do:done")(sent[index]) for sent in replies)
        section.add(f"{hostile.name}: refused", f"{refused} of {len(replies)}")
    section.add(
        "other citizens' reports filed during the attack",
        f"{attacked.people}",
        "≥ 1, all with their receipt",
        attacked.people >= 1,
    )
    for share in (0.50, 0.99):
        section.add(
            f"their latency p{share * 100:.0f}, alone → during the attack",
            f"{ms(percentile(calm.latencies, share))} → "
            f"{ms(percentile(attacked.latencies, share))}",
        )
    section.notes.append(
        f"{sizes.attackers} accounts walk the dialog to the evidence step, then each sends at once "
        f"one file of each kind: {'; '.join(h.name for h, _ in samples)} "
        "(`tests/support/hostile.py`; "
        f"sizes {', '.join(f'{len(d) // 1024} KB' for _, d in samples)}). The bot cleans them in "
        f"its sandbox (`bot/cleaning/sandbox.py`): {limits.slots} child at a time, each limited to "
        f"{mb(limits.memory_bytes)} of address space, {limits.cpu_seconds} s of CPU and "
        f"{limits.timeout_seconds:.0f} s; pictures over {limits.max_pixels / 1e6:.0f} megapixels "
        "are refused from their header (a JPEG is decoded reduced). RSS of the bot and of its "
        f"children sampled together every {SAMPLE_SECONDS * 1000:.0f} ms with psutil; a child "
        "lives a fraction of a second, so a peak between two samples can be missed, but no child "
        "can hold more than its address-space limit. Meanwhile crowds of "
        f"{sizes.bystanders} other citizens file a report each with a photo, one crowd after "
        "another until every hostile file is answered; the latencies beside theirs are of the "
        "same crowd before the attack."
    )
    return section
