"""CPU profiles of a bot process, sampled by py-spy while a scenario measures it.

py-spy reads the process from outside (``--nonblocking``: it never pauses it) and keeps only the
samples that hold the GIL, i.e. Python CPU time. When a target is missed, the summary goes into
RESULTS.md beside the figure.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

RATE = 100
PROJECT = ("(bot/", "(handlers/", "(storage/")
_LAYERS = ("__call__ (", "(bot/__main__.py)")
"""Frames that wrap everything (middlewares, the entry point): their total says nothing."""
_LINE_NUMBER = re.compile(r":\d+\)$")


@dataclass(frozen=True)
class Profile:
    samples: int
    own: list[tuple[str, float]]
    """Functions by self time (share of samples)."""
    project: list[tuple[str, float]]
    """Adal's own functions by total time, callees included (middlewares left out)."""

    def markdown(self, title: str) -> str:
        if not self.samples:
            return f"{title}: py-spy collected no samples."

        def rows(entries: list[tuple[str, float]]) -> str:
            return "\n".join(f"| {share:.1%} | `{frame}` |" for frame, share in entries)

        return (
            f"{title} ({self.samples} samples of CPU time, py-spy `--gil`):\n\n"
            f"| self | function |\n|---|---|\n{rows(self.own)}\n\n"
            f"| total | Adal function |\n|---|---|\n{rows(self.project)}"
        )


def _py_spy() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


@asynccontextmanager
async def sampled(pid: int, raw: Path) -> AsyncIterator[None]:
    """Sample ``pid`` while the block runs; nothing happens when py-spy is not installed."""
    executable = _py_spy()
    if executable is None:
        yield
        return
    spy = await asyncio.create_subprocess_exec(
        executable,
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--output",
        str(raw),
        "--rate",
        str(RATE),
        "--gil",
        "--nonblocking",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        if spy.returncode is None:
            spy.send_signal(signal.SIGINT)
        await spy.wait()


def summary(raw: Path, within: str = "", top: int = 12) -> Profile | None:
    """Self time of every function and total time of Adal's, from py-spy's collapsed stacks.

    ``within``: only the samples under the first frame that starts with it, e.g. ``run_digest``
    to leave the imports out.
    """
    if not raw.exists():
        return None
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_LINE_NUMBER.sub(")", frame) for frame in stack.split(";") if frame]
        root = next((i for i, frame in enumerate(frames) if frame.startswith(within)), None)
        if root is None or not frames:
            continue
        frames = frames[root:]
        weight = int(count)
        samples += weight
        own[frames[-1]] += weight
        for frame in set(frames[1:] if within else frames):
            if any(p in frame for p in PROJECT) and not any(w in frame for w in _LAYERS):
                total[frame] += weight
    if not samples:
        return Profile(0, [], [])
    return Profile(
        samples,
        [(frame, n / samples) for frame, n in own.most_common(top)],
        [(frame, n / samples) for frame, n in total.most_common(top)],
    )
