"""The case board: the cases of the viewer's regions, filtered, searched, sorted, in pages.

The full-text search opens each filtered case's text and place for the request only, in memory:
nothing searchable is ever stored in clear. The cases are read in batches in the order asked,
and of the matches only the page's are kept; the counts per status come from the same pass.
Without a search, the database counts, sorts and pages by itself.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.core.catalog import Catalog, Entry
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines, Urgency
from bot.core.values import CaseStatus
from bot.security.crypto import Cipher
from bot.telegram.sanitize import visible_text
from bot.ui.formatting import format_moment
from bot.ui.labels import case_status_labels
from storage.board import BoardFilter, BoardRepository, BoardRow, Order

PAGE_SIZE = 50
EXCERPT_CHARS = 140
SEARCH_MAX = 200
"""Characters of a search, at most."""
NUMBER_SIGNS = "№#"


@dataclass(frozen=True, slots=True)
class BoardQuery:
    """What the viewer asked the board for; every field optional."""

    status: CaseStatus | None = None
    sphere: str | None = None
    region: str | None = None
    overdue: bool = False
    urgent: bool = False
    received_from: date | None = None
    received_to: date | None = None
    """Inclusive, in the bot's time zone."""
    text: str | None = None
    order: Order = Order.NEWEST
    page: int = 1


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """One case in a list, in the viewer's language and the bot's time zone."""

    no: int
    region: str
    region_name: str
    sphere: str
    sphere_name: str
    status: str
    status_label: str
    received: str
    deadline: str | None
    overdue: bool
    due_soon: bool
    urgent: bool
    excerpt: str


@dataclass(frozen=True, slots=True)
class BoardPage:
    cases: list[CaseSummary]
    counts: dict[str, int]
    """Per status, over the cases that meet every filter but the status."""
    total: int
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    label: str


class Summaries:
    """Cases as the workspace lists them; labels in the current language (``_``)."""

    def __init__(
        self, *, cipher: Cipher, catalog: Catalog, deadlines: Deadlines, zone: tzinfo
    ) -> None:
        self._cipher = cipher
        self._catalog = catalog
        self._deadlines = deadlines
        self._zone = zone

    def opened(self, row: BoardRow) -> tuple[str, str | None]:
        """The case's text and place, for this request only."""
        body = self._cipher.open_text(row.body, f"reports:{row.id}:body")
        place = (
            None
            if row.place is None
            else self._cipher.open_text(row.place, f"reports:{row.id}:place")
        )
        return body, place

    def summary(
        self, row: BoardRow, locale: str, now: datetime, body: str | None = None
    ) -> CaseSummary:
        """``body``: the text, if it was opened already."""
        text = self.opened(row)[0] if body is None else body
        deadline = self._deadlines.of(row)
        urgency = self._deadlines.urgency(row, now)
        return CaseSummary(
            no=row.case_no,
            region=row.region,
            region_name=_name(self._catalog.region(row.region), row.region, locale),
            sphere=row.category,
            sphere_name=_name(self._catalog.category(row.category), row.category, locale),
            status=row.status,
            status_label=case_status_labels().get(row.status, row.status),
            received=format_moment(datetime.fromisoformat(row.created_at), self._zone, locale),
            deadline=None if deadline is None else format_moment(deadline, self._zone, locale),
            overdue=urgency == Urgency.OVERDUE,
            due_soon=urgency == Urgency.DUE,
            urgent=row.urgent,
            excerpt=excerpt(text),
        )


class CaseBoard:
    def __init__(
        self,
        *,
        board: BoardRepository,
        summaries: Summaries,
        catalog: Catalog,
        zone: tzinfo,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._board = board
        self._summaries = summaries
        self._catalog = catalog
        self._zone = zone
        self._clock = clock

    def options(self, regions: Collection[str] | None, locale: str) -> dict[str, list[Option]]:
        """What the filters offer: every status and sphere, the viewer's regions only."""
        labels = case_status_labels()
        shown = [r for r in self._catalog.regions if regions is None or r.code in regions]
        return {
            "statuses": [Option(status.value, labels[status]) for status in CaseStatus],
            "spheres": [Option(c.code, c.name(locale)) for c in self._catalog.categories],
            "regions": [
                Option(r.code, r.name(locale)) for r in sorted(shown, key=lambda r: r.name(locale))
            ],
        }

    def _day_bounds(self, first: date | None, last: date | None) -> tuple[str | None, str | None]:
        """From the start of ``first`` to the end of ``last`` in the bot's zone, as UTC ISO
        bounds (inclusive, exclusive) to compare reports' times with."""
        return (
            None if first is None else self._midnight(first),
            None if last is None else self._midnight(last + timedelta(days=1)),
        )

    def _midnight(self, day: date) -> str:
        return datetime.combine(day, time(), tzinfo=self._zone).astimezone(UTC).isoformat()

    async def page(
        self, regions: Collection[str] | None, query: BoardQuery, locale: str
    ) -> BoardPage:
        """The page ``query.page`` of the cases of ``regions`` (None: all) that meet
        ``query``; a page past the last is empty."""
        now = self._clock()
        received_from, received_before = self._day_bounds(query.received_from, query.received_to)
        where = BoardFilter(
            regions=regions,
            region=query.region,
            status=query.status,
            sphere=query.sphere,
            urgent=query.urgent,
            received_from=received_from,
            received_before=received_before,
            overdue_at=now if query.overdue else None,
            shown_at=now.timestamp(),
        )
        offset = (query.page - 1) * PAGE_SIZE
        found: list[tuple[BoardRow, str | None]]
        if query.text:
            found, counts, total = await self._search(where, query, offset)
        else:
            counts = Counter(await self._board.counts(where))
            total = counts[query.status] if query.status else sum(counts.values())
            rows = await self._board.cases(where, query.order, PAGE_SIZE, offset)
            found = [(row, None) for row in rows]
        return BoardPage(
            cases=[self._summaries.summary(row, locale, now, body) for row, body in found],
            counts={status.value: counts[status.value] for status in CaseStatus},
            total=total,
            page=query.page,
            pages=max(1, math.ceil(total / PAGE_SIZE)),
        )

    async def _search(
        self, where: BoardFilter, query: BoardQuery, offset: int
    ) -> tuple[list[tuple[BoardRow, str | None]], Counter[str], int]:
        """(the page's rows with their opened text, counts per status, matches in all)."""
        needle = folded(query.text or "")
        number = case_number(query.text or "")
        counts: Counter[str] = Counter()
        found: list[tuple[BoardRow, str | None]] = []
        total = 0
        async for batch in self._board.scan(replace(where, status=None), query.order):
            for row in batch:
                body, place = self._summaries.opened(row)
                if not (
                    row.case_no == number
                    or needle in folded(body)
                    or (place is not None and needle in folded(place))
                ):
                    continue
                counts[row.status] += 1
                if query.status is not None and row.status != query.status:
                    continue
                if offset <= total < offset + PAGE_SIZE:
                    found.append((row, body))
                total += 1
        return found, counts, total


def folded(text: str) -> str:
    """``text`` as the search compares it: what an officer sees of it, without case (Kazakh and
    Russian letters alike), compatibility forms or runs of spaces."""
    return " ".join(unicodedata.normalize("NFKC", visible_text(text)).casefold().split())


def case_number(text: str) -> int | None:
    """The case number a search may be: digits, after a № or # if any."""
    digits = text.strip().lstrip(NUMBER_SIGNS).strip()
    return int(digits) if digits.isascii() and digits.isdigit() else None


def excerpt(text: str) -> str:
    """The start of a case's text on one line, within ``EXCERPT_CHARS``."""
    line = " ".join(visible_text(text).split())
    if len(line) <= EXCERPT_CHARS:
        return line
    return line[: EXCERPT_CHARS - 1].rstrip() + "…"


def _name(entry: Entry | None, code: str, locale: str) -> str:
    return code if entry is None else entry.name(locale)
