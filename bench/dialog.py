"""Scenario 1: citizens filing reports all at once, against an aiogram echo bot as the floor."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bench.bots import BotConfig, bot_process
from bench.people import PHOTO_BYTES, CrowdRun, Step, crowd, echo_script, report_script
from bench.profiles import sampled, summary
from bench.results import Section, mb, ms, percentile
from bench.sizes import Sizes
from bench.timed_api import TimedAPI, running_api
from bot.core.catalog import Catalog
from tests.fakeapi import FakeUser

MIN_FLOOR_SHARE = 0.40
MAX_P99 = 0.100
LANGUAGES = ("kk", "ru")


def citizens(api: TimedAPI, count: int) -> list[FakeUser]:
    return [api.make_user(language_code=LANGUAGES[index % 2]) for index in range(count)]


def citizen_script() -> Callable[[FakeUser], tuple[Step, ...]]:
    """Each citizen's dialog: a whole report, in a region picked by their id."""
    regions = [entry.code for entry in Catalog.load().regions]

    def script(user: FakeUser) -> tuple[Step, ...]:
        return report_script(regions[user.id % len(regions)])

    return script


UPDATES = len(citizen_script()(FakeUser(0, "x")))


def _latencies(section: Section, run: CrowdRun, where: str, p99_below: float | None = None) -> None:
    for share in (0.50, 0.95, 0.99):
        name, value = f"latency p{share * 100:.0f} {where}", percentile(run.latencies, share)
        if share == 0.99 and p99_below is not None:
            section.add(name, ms(value), f"< {ms(p99_below)}", value < p99_below)
        else:
            section.add(name, ms(value))


async def _echo_floor(workdir: Path, people: int, updates: int) -> CrowdRun:
    """The same number of people and updates against the echo bot."""
    async with running_api() as api:
        config = BotConfig(api.base_url, workdir / "echo" / "data")
        async with bot_process(config, "bench.echo_bot", api=api):
            return await crowd(api, citizens(api, people), lambda _: echo_script(updates))


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("1. Dialog")
    script, updates = citizen_script(), UPDATES
    async with running_api() as api:
        config = BotConfig(api.base_url, workdir / "adal" / "data")
        async with bot_process(config, "bot", api=api) as bot:
            cpu, driver = bot.cpu_seconds(), time.process_time()
            async with sampled(bot.process.pid, workdir / "dialog.spy"):
                burst = await crowd(api, citizens(api, sizes.citizens), script)
            cpu, driver = bot.cpu_seconds() - cpu, time.process_time() - driver
            peak = bot.peak_rss
            floor = await _echo_floor(workdir, sizes.citizens, updates)
            paced = await crowd(api, citizens(api, sizes.paced_citizens), script, sizes.paced_rate)
            # Beyond its capacity latency only measures the queue: also at half the capacity.
            comfortable = burst.updates_per_second / 2
            eased = (
                await crowd(api, citizens(api, sizes.paced_citizens // 2), script, comfortable)
                if comfortable < sizes.paced_rate
                else None
            )

    share = burst.updates_per_second / floor.updates_per_second
    section.add("citizens at once, updates each", f"{sizes.citizens} × {updates}")
    section.add("updates/s", f"{burst.updates_per_second:.0f}")
    section.add("reports/s", f"{burst.people_per_second:.1f}")
    _latencies(section, burst, "(all at once)")
    section.add("peak RSS", mb(peak))
    section.add("bot CPU per update", ms(cpu / burst.updates))
    section.add("echo floor updates/s", f"{floor.updates_per_second:.0f}")
    section.add(
        "throughput / echo floor",
        f"{share:.0%}",
        f"≥ {MIN_FLOOR_SHARE:.0%}",
        share >= MIN_FLOOR_SHARE,
    )
    section.add(f"paced at {sizes.paced_rate:.0f} updates/s", f"{paced.updates_per_second:.0f}/s")
    _latencies(section, paced, f"at {sizes.paced_rate:.0f}/s", MAX_P99)
    if eased is not None:
        section.add(
            f"paced at half the capacity, {comfortable:.0f} updates/s",
            f"{eased.updates_per_second:.0f}/s",
        )
        _latencies(section, eased, f"at {comfortable:.0f}/s")
    section.notes.append(
        f"Each citizen sends `/report`, picks region, sphere and time with buttons, skips the "
        f"place, types the text, sends one {PHOTO_BYTES // 1024} KB photo, declines questions and "
        f"submits: {updates} updates, each sent when the bot's message it answers has arrived "
        "(its next button, finally the receipt code). Adal is `python -m bot`; the floor is "
        "`bench/echo_bot.py` (answers each text with a message) on the same session, fake "
        "server and polling, driven with as many text messages, right after Adal's burst. "
        "Paced: the updates of all citizens together are spaced evenly at the rate, each "
        "citizen still waiting for its answer. Latency: from getUpdates serving the update to "
        "the first message the bot sends or edits in that chat, both timed by the fake server. "
        f"The fake server and the citizens used {driver / burst.seconds:.0%} of a core during "
        "Adal's burst (a whole core would mean that the harness, not the bot, was the bottleneck)."
    )
    profile = summary(workdir / "dialog.spy")
    if section.missed and profile is not None:
        section.notes.append(profile.markdown("Profile of the bot during the burst"))
    return section
