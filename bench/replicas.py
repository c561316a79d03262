"""Scenario 7: the dialog's citizens on PostgreSQL + Redis, one replica and two, beside SQLite.

Every bot here is ``python -m bot`` in webhook mode behind the tests' balancer (one port for a
single process), so that the three differ only in their storage and their number: SQLite in its
data directory; PostgreSQL and Redis (the servers of ``ADAL_TEST_DATABASE_URL`` and
``ADAL_TEST_REDIS_URL``, a fresh database and key prefix) for one replica, then two. Each runs the
same crowd as scenario 1 on a fresh fake server.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from bench.bots import BotConfig, Watched, bot_process, new_key
from bench.dialog import UPDATES, citizen_script, citizens
from bench.people import CrowdRun, crowd
from bench.results import Section, ms
from bench.servers import missing, shared_servers
from bench.sizes import Sizes
from bench.timed_api import running_api
from tests.fakeapi.server import WEBHOOK_CONNECTIONS
from tests.support.balancer import Balancer
from tests.support.live import WEBHOOK_SECRET, WEBHOOK_URL, free_port

MAX_CPU_RATIO = 1.3
MIN_SCALING = 1.6
CORES_FOR_SCALING = 4
"""Two replicas, the driver with its fake server and balancer, and the database servers."""
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class Measured:
    run: CrowdRun
    bot_cpu: float
    """Seconds of CPU of the bot processes together during the crowd."""
    driver_cpu: float
    """This process: the fake server, the citizens and the balancer."""
    servers_cpu: float | None
    """The PostgreSQL backends serving the bots' database, and the Redis server."""
    handled: list[int]
    """Updates each replica acknowledged."""

    @property
    def cpu_per_update(self) -> float:
        return self.bot_cpu / self.run.updates

    def cores(self, cpu: float) -> float:
        return cpu / self.run.seconds


def _servers_cpu(database: str | None) -> float:
    """CPU seconds so far of the PostgreSQL backends connected to ``database`` and of Redis
    (which other runs on the machine share)."""
    total = 0.0
    for process in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        line = " ".join(process.info["cmdline"] or [])
        times = process.info["cpu_times"]
        if times is None:
            continue
        if (database is not None and f" {database} " in f"{line} ") or (
            process.info["name"] == "redis-server"
        ):
            total += times.user + times.system
    return total


async def _measure(
    sizes: Sizes, workdir: Path, replicas: int, servers: Mapping[str, str] | None
) -> Measured:
    ports = [free_port() for _ in range(replicas)]
    key = new_key()
    database = urlsplit(servers["DATABASE_URL"]).path.strip("/") if servers else None
    async with running_api() as api, Balancer(ports) as balancer, AsyncExitStack() as stack:
        api.webhook_origin = f"http://127.0.0.1:{balancer.port}"
        bots: list[Watched] = []
        for number, port in enumerate(ports, start=1):
            extra = {
                "BOT_MODE": "webhook",
                "WEB_PORT": str(port),
                "WEBHOOK_URL": WEBHOOK_URL,
                "WEBHOOK_SECRET": WEBHOOK_SECRET,
                **(servers or {}),
            }
            config = BotConfig(api.base_url, workdir / f"replica-{number}" / "data", extra, key)
            mark = api.mark()
            bots.append(await stack.enter_async_context(bot_process(config, "bot")))
            await api.wait_for("setWebhook", after=mark, timeout=START_TIMEOUT)
        people = citizens(api, sizes.citizens)
        bot_cpu = sum(bot.cpu_seconds() for bot in bots)
        driver, servers_cpu = time.process_time(), _servers_cpu(database)
        run = await crowd(api, people, citizen_script())
        return Measured(
            run,
            sum(bot.cpu_seconds() for bot in bots) - bot_cpu,
            time.process_time() - driver,
            _servers_cpu(database) - servers_cpu if servers else None,
            [balancer.handled[port] for port in ports],
        )


def _describe(section: Section, label: str, measured: Measured) -> None:
    section.add(f"{label}: updates/s", f"{measured.run.updates_per_second:.0f}")
    section.add(f"{label}: bot CPU per update", ms(measured.cpu_per_update))
    section.add(
        f"{label}: cores used by bots / driver",
        f"{measured.cores(measured.bot_cpu):.2f} / {measured.cores(measured.driver_cpu):.2f}",
    )
    if measured.servers_cpu is not None:
        section.add(
            f"{label}: PostgreSQL + Redis CPU per update",
            ms(measured.servers_cpu / measured.run.updates),
        )


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("7. Replicas")
    section.add("citizens at once, updates each", f"{sizes.citizens} × {UPDATES}")
    reason = missing()
    if reason is not None:
        section.add("PostgreSQL + Redis", f"not run: {reason}")
        return section
    sqlite = await _measure(sizes, workdir / "sqlite", 1, None)
    async with shared_servers(workdir) as servers:
        one = await _measure(sizes, workdir / "one", 1, servers)
    async with shared_servers(workdir) as servers:
        two = await _measure(sizes, workdir / "two", 2, servers)
    _describe(section, "SQLite", sqlite)
    _describe(section, "PostgreSQL + Redis, 1 replica", one)
    _describe(section, "PostgreSQL + Redis, 2 replicas", two)
    cpu_ratio = one.cpu_per_update / sqlite.cpu_per_update
    section.add(
        "bot CPU per update, PostgreSQL + Redis / SQLite",
        f"{cpu_ratio:.2f}×",
        f"≤ {MAX_CPU_RATIO}×",
        cpu_ratio <= MAX_CPU_RATIO,
    )
    section.add(
        "updates/s, PostgreSQL + Redis / SQLite",
        f"{one.run.updates_per_second / sqlite.run.updates_per_second:.2f}×",
    )
    scaling = two.run.updates_per_second / one.run.updates_per_second
    cores = psutil.cpu_count() or 1
    judged = cores >= CORES_FOR_SCALING
    section.add(
        "updates/s, 2 replicas / 1",
        f"{scaling:.2f}×",
        f"≥ {MIN_SCALING}×" + ("" if judged else f" (with ≥ {CORES_FOR_SCALING} cores)"),
        scaling >= MIN_SCALING if judged else None,
    )
    per_core = [m.run.updates / m.bot_cpu for m in (one, two)]
    section.add(
        "updates per second of bot CPU, 1 replica → 2",
        f"{per_core[0]:.0f} → {per_core[1]:.0f} ({per_core[1] / per_core[0]:.2f}×)",
    )
    section.add("updates each replica took (2 replicas)", " / ".join(map(str, two.handled)))
    section.notes.append(
        f"The citizens of scenario 1 ({sizes.citizens} at once, {UPDATES} updates each, one in "
        "flight per citizen) against `python -m bot` in webhook mode. The fake server posts the "
        f"updates as Telegram does (up to {WEBHOOK_CONNECTIONS} at once, one at a time per "
        "chat) to `tests/support/balancer.py`, which forwards each to a replica picked at "
        "random, so one citizen's updates land on both. SQLite: one process behind the same "
        "balancer (scenario 1 runs it in polling mode). PostgreSQL + Redis: a fresh database "
        "and key prefix each time; two replicas share them. Bot CPU: user + system time of the "
        "bot processes together during the crowd. The driver (fake server, citizens, balancer) "
        "runs in the benchmark's process; PostgreSQL + Redis CPU: the PostgreSQL backends "
        "connected to the bots' database and the whole Redis server (shared with whatever "
        f"else ran meanwhile). This machine has {cores} cores: the bots, the driver and the "
        "database servers share them, so two replicas cannot take two cores for themselves; "
        "the scaling target is judged only with enough cores, and the updates per second of "
        "bot CPU show whether a replica does more work per update when there are two."
    )
    return section
