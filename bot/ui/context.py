"""What every renderer needs to know of its reader: the catalog, the language and the time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from bot.core.catalog import Catalog


@dataclass(frozen=True, slots=True)
class ViewContext:
    catalog: Catalog
    locale: str
    zone: tzinfo

    def region_name(self, code: str) -> str:
        """A region's name in this language; its code when the catalog does not know it."""
        entry = self.catalog.region(code)
        return entry.name(self.locale) if entry else code
