"""How big each scenario is: the issue's sizes, and a tiny set for the smoke test."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    citizens: int = 1000
    """People filing a report at once (and as many echo-bot users for the floor)."""
    paced_citizens: int = 1000
    paced_rate: float = 200.0
    """Updates per second, all citizens together, for the latency target."""
    digest_reports: int = 10_000
    departments: int = 20
    limited_seconds: float = 60.0
    """How long the digest runs under Telegram's limits: long enough to measure its rate."""
    evidence_every: int = 10
    """One digest report in this many carries a photo."""
    subscribers: int = 100_000
    checkpoint: int = 10_000
    """RSS is compared after this many broadcast messages and at the end."""
    clock_scale: float = 10.0
    """The broadcast runs this many times faster than real time (rate and limit alike)."""
    lookup_reports: int = 1_000_000
    lookups: int = 10_000
    restarts: int = 3
    idle_seconds: float = 5.0
    attackers: int = 10
    """Accounts sending one file of each hostile kind at once."""
    bystanders: int = 20
    """Citizens filing a report meanwhile, crowd after crowd."""
    board_cases: int = 5_000
    """Cases in the region of the officer who asks the workspace's case board."""
    board_requests: int = 100
    """Requests of each kind timed."""
    voice_seconds: tuple[float, ...] = (60.0, 600.0)
    """Lengths of the voice notes masked, in Kazakh and in Russian: a minute, and the longest
    masked (``MAX_VOICE_MINUTES``)."""


FULL = Sizes()
TINY = Sizes(
    citizens=4,
    paced_citizens=3,
    paced_rate=20.0,
    digest_reports=30,
    departments=3,
    limited_seconds=4.0,
    evidence_every=5,
    subscribers=120,
    checkpoint=40,
    clock_scale=4.0,
    lookup_reports=2000,
    lookups=200,
    restarts=1,
    idle_seconds=0.5,
    attackers=2,
    bystanders=2,
    board_cases=60,
    board_requests=3,
    voice_seconds=(5.0,),
)
