"""The bot's own entry points as two benchmarks need them; everything else is ``python -m bot``.

``python -m bench.bot_entry digest OUT`` runs ``bot.app.run_digest`` (what ``python -m bot digest``
runs) and writes to OUT, as JSON, its wall time, its user and system CPU time (the interpreter's
start and imports left out) and the process's peak RSS.

``python -m bench.bot_entry poll SCALE`` runs ``bot.app.run_polling`` with ``BROADCAST_RATE``
multiplied by SCALE. The broadcast benchmark scales the fake server's limit the same way: its
clock runs SCALE times faster, so that 100,000 messages take minutes instead of an hour.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

from bench.memory import peak_rss
from bot.app import run_digest, run_polling
from bot.app.logs import setup_logging
from bot.settings import load_settings


def _cpu_seconds() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def main(argv: list[str]) -> int:
    settings = load_settings()
    setup_logging(settings.log_level)
    mode, argument = argv
    if mode == "digest":
        cpu, wall = _cpu_seconds(), time.perf_counter()
        code = asyncio.run(run_digest(settings))
        user, system = (after - before for after, before in zip(_cpu_seconds(), cpu, strict=True))
        cost = {
            "wall": time.perf_counter() - wall,
            "user": user,
            "system": system,
            "peak_rss": peak_rss(),
        }
        Path(argument).write_text(json.dumps(cost))
        return code
    rate = settings.broadcast_rate * float(argument)
    asyncio.run(run_polling(settings.model_copy(update={"broadcast_rate": rate})))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
