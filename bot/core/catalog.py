"""The regions and spheres a report can concern, with their names in each language."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


# Where most reports come from: first in the region keyboard.
BUSIEST_REGIONS = ("astana", "almaty_city", "shymkent")


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    names: dict[str, str]
    short: dict[str, str] = field(default_factory=dict)

    def name(self, locale: str) -> str:
        return self.names[locale]

    def label(self, locale: str) -> str:
        """The name on a button: short where the full one would not fit a phone's row."""
        return self.short.get(locale) or self.names[locale]


class Catalog:
    def __init__(self, regions: list[Entry], categories: list[Entry]) -> None:
        self.regions = regions
        self.categories = categories
        self._regions = {entry.code: entry for entry in regions}
        self._categories = {entry.code: entry for entry in categories}

    @classmethod
    def load(cls, directory: Path = DATA_DIR) -> Catalog:
        return cls(_entries(directory / "regions.json"), _entries(directory / "categories.json"))

    @property
    def regions_by_use(self) -> list[Entry]:
        busiest = [entry for code in BUSIEST_REGIONS if (entry := self._regions.get(code))]
        return busiest + [entry for entry in self.regions if entry not in busiest]

    def region(self, code: str) -> Entry | None:
        return self._regions.get(code)

    def category(self, code: str) -> Entry | None:
        return self._categories.get(code)


def _entries(path: Path) -> list[Entry]:
    items = json.loads(path.read_text(encoding="utf-8"))
    return [
        Entry(
            item["code"],
            {"kk": item["name_kk"], "ru": item["name_ru"]},
            {locale: item[key] for locale in ("kk", "ru") if (key := f"short_{locale}") in item},
        )
        for item in items
    ]
