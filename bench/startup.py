"""Scenario 5: from ``python -m bot`` to its first getUpdates; the RSS of a bot doing nothing."""

from __future__ import annotations

import asyncio
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.bots import BotConfig, bot_process
from bench.results import Section, mb
from bench.sizes import Sizes
from bench.timed_api import TimedAPI, running_api

MAX_SECONDS = 2.0
MAX_IDLE_RSS = 120 * 1024 * 1024
IMPORTS_SHOWN = 8
MEASURE_IMPORT = (
    "import time; started = time.perf_counter(); import {module}; "
    "from bench.memory import peak_rss; print(time.perf_counter() - started, peak_rss())"
)


@dataclass(frozen=True)
class Start:
    to_first_request: float
    """Interpreter, imports, settings, database and services."""
    to_polling: float
    """The whole start: until the first getUpdates arrived."""
    idle_rss: int


async def _start(api: TimedAPI, config: BotConfig, module: str, idle: float) -> Start:
    mark = api.mark()
    async with bot_process(config, module, api=api) as bot:
        await asyncio.sleep(idle)
        rss = bot.rss()
    return Start(api.requests[mark].time - bot.started, bot.polling - bot.started, rss)


async def _python(config: BotConfig, *args: str) -> tuple[str, str]:
    """Run this Python with the bot's environment; its stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=config.env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    return out.decode(), err.decode()


async def _import_cost(config: BotConfig, module: str) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of a fresh interpreter importing ``module``."""
    out, _ = await _python(config, "-c", MEASURE_IMPORT.format(module=module))
    seconds, rss = out.split()
    return float(seconds), int(rss)


async def _import_profile(config: BotConfig) -> str:
    """``python -X importtime``: the modules that cost the most by themselves."""
    _, err = await _python(config, "-X", "importtime", "-c", "import bot.__main__")
    entries = []
    for line in err.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[0].strip().isdigit():
            entries.append((int(fields[0]), int(fields[1]), fields[2].strip()))
    rows = "\n".join(
        f"| {own / 1e6:.2f} s | {cumulative / 1e6:.2f} s | `{name}` |"
        for own, cumulative, name in sorted(entries, reverse=True)[:IMPORTS_SHOWN]
    )
    return (
        "`python -X importtime -c 'import bot.__main__'`, the modules that take longest by "
        f"themselves:\n\n| self | with its imports | module |\n|---|---|---|\n{rows}"
    )


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("5. Start-up")
    async with running_api() as api:
        config = BotConfig(api.base_url, workdir / "adal" / "data")
        first = await _start(api, config, "bot", sizes.idle_seconds)
        restarts = [
            await _start(api, config, "bot", sizes.idle_seconds) for _ in range(sizes.restarts)
        ]
        echo = await _start(
            api, BotConfig(api.base_url, workdir / "echo" / "data"), "bench.echo_bot", 0.0
        )
    aiogram_seconds, aiogram_rss = await _import_cost(config, "aiogram.types")
    bot_seconds, _ = await _import_cost(config, "bot.__main__")
    seconds = statistics.median(start.to_polling for start in restarts)
    rss = max(start.idle_rss for start in (first, *restarts))
    section.add("first start (new database)", f"{first.to_polling:.2f} s")
    section.add(
        "start-up: `python -m bot` → first getUpdates",
        f"{seconds:.2f} s",
        f"< {MAX_SECONDS:.0f} s",
        seconds < MAX_SECONDS,
    )
    before_first = statistics.median(start.to_first_request for start in restarts)
    section.add("  of which until its first Bot API request", f"{before_first:.2f} s")
    section.add("  of which `import bot.__main__`", f"{bot_seconds:.2f} s")
    section.add("  of which `import aiogram.types` alone", f"{aiogram_seconds:.2f} s")
    section.add("idle RSS", mb(rss), f"< {mb(MAX_IDLE_RSS)}", rss < MAX_IDLE_RSS)
    section.add("RSS of `import aiogram.types` alone", mb(aiogram_rss))
    section.add("echo bot: start-up, idle RSS", f"{echo.to_polling:.2f} s, {mb(echo.idle_rss)}")
    section.notes.append(
        f"Start-up is the median of {sizes.restarts} restarts on an existing database, from just "
        "before the process is spawned to the arrival of its first getUpdates at the fake server "
        "(it publishes its command menu and descriptions before polling); idle RSS is taken "
        f"{sizes.idle_seconds:g} s after polling began. Import times are of a fresh interpreter "
        "importing the module, measured inside it."
    )
    if section.missed:
        section.notes.append(await _import_profile(config))
    return section
