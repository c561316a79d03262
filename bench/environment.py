"""The machine a run took place on, and how busy other processes kept it meanwhile."""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import psutil

PACKAGES = (
    "aiogram",
    "aiohttp",
    "pydantic",
    "pydantic-core",
    "aiosqlite",
    "cryptography",
    "APScheduler",
    "Babel",
    "matplotlib",
    "psutil",
    "py-spy",
)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _own_cpu_seconds() -> float:
    """This process and every child it waited for (the bots under test)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def _busy_cpu_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


class Machine:
    """Call ``finish`` after the run; ``describe`` then tells how loaded the machine was."""

    def __init__(self) -> None:
        self.started = datetime.now(UTC)
        self._wall = time.monotonic()
        self._busy = _busy_cpu_seconds()
        self._own = _own_cpu_seconds()
        self._load_before = os.getloadavg()[0]
        self.others_share = 0.0
        """Average share of all cores used by other processes during the run."""

    def finish(self) -> None:
        cores = psutil.cpu_count() or 1
        wall = time.monotonic() - self._wall
        others = (_busy_cpu_seconds() - self._busy) - (_own_cpu_seconds() - self._own)
        self.others_share = max(0.0, others / (wall * cores))

    @property
    def loaded(self) -> bool:
        return self.others_share > 0.05

    def describe(self, command: str) -> list[str]:
        packages = ", ".join(f"{name} {_version(name)}" for name in PACKAGES)
        load = (
            f"**other processes kept {self.others_share:.0%} of the CPU busy during the run**: "
            "the machine was loaded, timings are pessimistic"
            if self.loaded
            else f"other processes used {self.others_share:.0%} of the CPU during the run"
        )
        return [
            f"- command: `{command}`, started {self.started:%Y-%m-%d %H:%M} UTC",
            f"- CPU: {psutil.cpu_count()} logical cores ({psutil.cpu_count(logical=False)} "
            f"physical), {_cpu_model()}; load average before the run {self._load_before:.2f}; "
            f"{load}",
            f"- memory: {psutil.virtual_memory().total / 2**30:.1f} GiB",
            f"- Python {platform.python_version()} ({sys.implementation.name}), "
            f"{platform.system()} {platform.release()}",
            f"- packages: {packages}",
        ]
