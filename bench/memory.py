"""The peak RSS of the running process, as Linux counts it."""

from __future__ import annotations

from pathlib import Path


def peak_rss() -> int:
    """Bytes: ``VmHWM`` of /proc/self/status.

    Not ``getrusage().ru_maxrss``: Linux carries the peak of the process that forked this one
    across ``exec``, so a bot started by the benchmark (holding a few hundred MB by then) would
    report the benchmark's peak instead of its own.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
