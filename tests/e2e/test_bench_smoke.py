"""Every benchmark runs end to end on a tiny size. No timing is checked here: see bench/."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench import servers
from bench.__main__ import SCENARIOS, main
from bench.memory import peak_rss
from bench.results import Section
from bench.sizes import TINY

ON_SERVERS = "replicas"
"""The scenario that runs only on PostgreSQL and Redis: its own test below."""


async def tiny(name: str) -> Section:
    # Not tmp_path: what the bench leaves must not be grepped by tests/live/test_leaks.py, whose
    # fake users share ids with the bench's.
    with tempfile.TemporaryDirectory(prefix=f"adal-bench-{name}-") as workdir:
        return await SCENARIOS[name](TINY, Path(workdir))


def need_servers() -> None:
    reason = servers.missing()
    if reason is not None:
        pytest.skip(f"{reason} (PostgreSQL + Redis benchmarks)")


def check_section(section: Section) -> None:
    assert section.figures
    assert all(figure.value for figure in section.figures)
    assert any(figure.target for figure in section.figures), "each scenario has a target"


@pytest.mark.parametrize("name", [name for name in SCENARIOS if name != ON_SERVERS])
async def test_scenario_runs_end_to_end(name: str) -> None:
    check_section(await tiny(name))


def test_command_writes_the_results_table(capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        output = Path(workdir) / "RESULTS.md"
        assert main(["lookup", "--tiny", "--output", str(output)]) == 0
        written = output.read_text()
    assert "| 4. Lookup | reports in the database |" in written
    assert "logical cores" in written and "aiogram" in written
    assert written.strip() in capsys.readouterr().out


async def test_replicas_compare_sqlite_one_replica_and_two() -> None:
    need_servers()
    section = await tiny(ON_SERVERS)
    check_section(section)
    figures = {figure.name: figure.value for figure in section.figures}
    for label in ("SQLite", "PostgreSQL + Redis, 1 replica", "PostgreSQL + Redis, 2 replicas"):
        assert float(figures[f"{label}: updates/s"]) > 0, figures
    assert figures["bot CPU per update, PostgreSQL + Redis / SQLite"].endswith("×")
    took = figures["updates each replica took (2 replicas)"].split(" / ")
    assert len(took) == 2 and all(int(count) > 0 for count in took), "the balancer used both"


async def test_lookup_runs_on_postgres_too() -> None:
    need_servers()
    names = [figure.name for figure in (await tiny("lookup")).figures]
    assert "lookup p99" in names and "lookup p99 (PostgreSQL)" in names


def test_a_child_reports_its_own_peak_rss_not_its_parents() -> None:
    """``ru_maxrss`` would carry this process's peak, with the ballast, into the child."""
    ballast = b"\x01" * (300 * 1024 * 1024)
    child = subprocess.run(
        [sys.executable, "-c", "from bench.memory import peak_rss; print(peak_rss())"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert peak_rss() > len(ballast)
    assert 0 < int(child.stdout) < len(ballast) // 2
