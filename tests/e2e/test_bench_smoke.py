"""Every benchmark runs end to end on a tiny size. No timing is checked here: see bench/."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bench.__main__ import SCENARIOS, main
from bench.memory import peak_rss
from bench.sizes import TINY


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_scenario_runs_end_to_end(name: str) -> None:
    # Not tmp_path: what the bench leaves must not be grepped by tests/live/test_leaks.py, whose
    # fake users share ids with the bench's.
    with tempfile.TemporaryDirectory(prefix=f"adal-bench-{name}-") as workdir:
        section = await SCENARIOS[name](TINY, Path(workdir))
    assert section.figures
    assert all(figure.value for figure in section.figures)
    assert any(figure.target for figure in section.figures), "each scenario has a target"


def test_command_writes_the_results_table(capsys: pytest.CaptureFixture[str]) -> None:
    with tempfile.TemporaryDirectory() as workdir:
        output = Path(workdir) / "RESULTS.md"
        assert main(["lookup", "--tiny", "--output", str(output)]) == 0
        written = output.read_text()
    assert "| 4. Lookup | reports in the database |" in written
    assert "logical cores" in written and "aiogram" in written
    assert written.strip() in capsys.readouterr().out


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
