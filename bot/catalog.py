"""The regions and spheres a report can concern, with their names in each language."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    names: dict[str, str]

    def name(self, locale: str) -> str:
        return self.names[locale]


class Catalog:
    def __init__(self, regions: list[Entry], categories: list[Entry]) -> None:
        self.regions = regions
        self.categories = categories
        self._regions = {entry.code: entry for entry in regions}
        self._categories = {entry.code: entry for entry in categories}

    @classmethod
    def load(cls, directory: Path = DATA_DIR) -> Catalog:
        return cls(_entries(directory / "regions.json"), _entries(directory / "categories.json"))

    def region(self, code: str) -> Entry | None:
        return self._regions.get(code)

    def category(self, code: str) -> Entry | None:
        return self._categories.get(code)


def _entries(path: Path) -> list[Entry]:
    items = json.loads(path.read_text(encoding="utf-8"))
    return [Entry(item["code"], {"kk": item["name_kk"], "ru": item["name_ru"]}) for item in items]
