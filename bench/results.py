"""Figures, their targets, and the Markdown that ``python -m bench`` prints and writes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    target: str = ""
    met: bool | None = None
    """None: reported for context, no target."""


@dataclass
class Section:
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Markdown paragraphs: how it was driven, and for a missed target, the reason and profile."""

    def add(self, name: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.figures.append(Figure(name, value, target, met))

    @property
    def missed(self) -> bool:
        return any(f.met is False for f in self.figures)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``share`` of them at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mb(size: float) -> str:
    return f"{size / MB:.0f} MB"


def verdict(met: bool | None) -> str:
    return {True: "✅ met", False: "❌ missed", None: ""}[met]


def table(sections: Sequence[Section]) -> str:
    lines = ["| scenario | figure | value | target | |", "|---|---|---|---|---|"]
    for section in sections:
        for index, figure in enumerate(section.figures):
            title = section.title if index == 0 else ""
            lines.append(
                f"| {title} | {figure.name} | {figure.value} | {figure.target} "
                f"| {verdict(figure.met)} |"
            )
    return "\n".join(lines)


def document(header: Sequence[str], sections: Sequence[Section], appendix: str) -> str:
    """RESULTS.md: the environment, the table, then each scenario's notes."""
    parts = ["# Benchmark results", "", *header, "", table(sections), ""]
    for section in sections:
        if section.notes:
            parts += [f"## {section.title}", "", *(f"{note}\n" for note in section.notes)]
    if appendix:
        parts += [appendix.rstrip(), ""]
    return "\n".join(parts)
