"""Every benchmark runs end to end on a tiny size. No timing is checked here: see bench/."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from bench.__main__ import SCENARIOS, main
from bench.sizes import TINY


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_scenario_runs_end_to_end(name: str) -> None:
    # Not tmp_path: what the bench leaves must not be grepped by tests/test_zz_leaks.py, whose
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
