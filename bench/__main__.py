"""``python -m bench [scenario ...] [--tiny] [--output PATH]``: run the benchmarks, print the table.

A full run (every scenario, full size) also writes bench/RESULTS.md; other runs write only to
``--output``, so that they never replace the recorded results.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import (
    broadcast,
    dialog,
    digest,
    files,
    lookup,
    replicas,
    servers,
    startup,
    voice,
    workspace,
)
from bench.environment import Machine
from bench.results import Section, document
from bench.sizes import FULL, TINY, Sizes

Scenario = Callable[[Sizes, Path], Awaitable[Section]]
SCENARIOS: dict[str, Scenario] = {
    "dialog": dialog.run,
    "digest": digest.run,
    "broadcast": broadcast.run,
    "lookup": lookup.run,
    "startup": startup.run,
    "files": files.run,
    "replicas": replicas.run,
    "workspace": workspace.run,
    "voice": voice.run,
}
HERE = Path(__file__).resolve().parent
FINDINGS = HERE / "findings.md"


async def run(names: list[str], sizes: Sizes) -> list[Section]:
    sections = []
    for name in names:
        print(f"running {name}…", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"adal-bench-{name}-") as workdir:
            sections.append(await SCENARIOS[name](sizes, Path(workdir)))
    return sections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Adal's benchmarks against the fake Bot API server."
    )
    parser.add_argument(
        "scenarios", nargs="*", metavar="scenario", help=f"any of {', '.join(SCENARIOS)} (all)"
    )
    parser.add_argument(
        "--tiny", action="store_true", help="tiny sizes, to check that everything runs"
    )
    parser.add_argument(
        "--output", type=Path, help="where to write the table (a full run: bench/RESULTS.md)"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    names = args.scenarios or list(SCENARIOS)
    machine = Machine()
    sections = asyncio.run(run(names, TINY if args.tiny else FULL))
    machine.finish()
    command = " ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])])
    header = machine.describe(command)
    if args.tiny:
        header.append("- **tiny sizes**: this run only shows that every scenario works end to end")
    text = document(header, sections, FINDINGS.read_text() if FINDINGS.exists() else "")
    print(text)
    full = not args.tiny and set(names) == set(SCENARIOS)
    output = args.output or (HERE / "RESULTS.md" if full else None)
    if output is not None:
        output.write_text(text)
    return 0


if __name__ == "__main__":
    code = main()
    servers.drop_template()
    sys.exit(code)
