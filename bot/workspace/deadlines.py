"""The deadlines view: the open cases of the viewer's regions that are overdue or due within a
week, and the load by officer and by region.

A case counts under the officer who accepted it (the audit log's latest acceptance, named as the
roster knows them); a case not accepted yet, or sent back to be accepted again (moved, reopened),
under a row of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.utils.i18n import gettext as _

from bot.cases.chat_views import open_status_labels
from bot.core.catalog import Catalog
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines
from bot.core.values import CaseStatus
from bot.departments.roster import Person, Roster
from bot.telegram.sanitize import visible_text
from bot.workspace.board import CaseSummary, Summaries
from storage.board import BoardRepository, OpenCase

WEEK = timedelta(days=7)
LISTED = 100
"""Cases listed per section, the nearest deadlines first; the board's filters show the rest."""


@dataclass(slots=True)
class Load:
    """Open cases of an officer or a region: how many, due within a week, overdue."""

    name: str
    open: int = 0
    week: int = 0
    overdue: int = 0


@dataclass(slots=True)
class OfficerLoad(Load):
    accepted: bool = True
    """False for the row of the cases nobody has accepted yet."""


@dataclass(slots=True)
class RegionLoad(Load):
    code: str = ""


@dataclass(frozen=True, slots=True)
class DeadlinesOverview:
    overdue: list[CaseSummary]
    week: list[CaseSummary]
    overdue_total: int
    week_total: int
    officers: list[OfficerLoad]
    regions: list[RegionLoad]


class DeadlinesView:
    def __init__(
        self,
        *,
        board: BoardRepository,
        summaries: Summaries,
        roster: Roster,
        catalog: Catalog,
        deadlines: Deadlines,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._board = board
        self._summaries = summaries
        self._roster = roster
        self._catalog = catalog
        self._deadlines = deadlines
        self._clock = clock

    async def overview(self, regions: Collection[str] | None, locale: str) -> DeadlinesOverview:
        now = self._clock()
        cases = await self._board.open_cases(regions, now.timestamp())  # nearest deadline first
        overdue: list[OpenCase] = []
        week: list[OpenCase] = []
        officers: dict[bytes | None, OfficerLoad] = {
            None: OfficerLoad(_capitalised(open_status_labels()[CaseStatus.NEW]), accepted=False)
        }
        shown = [r for r in self._catalog.regions if regions is None or r.code in regions]
        by_region = {r.code: RegionLoad(r.name(locale), code=r.code) for r in shown}
        names = await self._roster.names(c.accepted_by for c in cases if c.accepted_by)
        for case in cases:
            deadline = self._deadlines.of(case.row)
            late = deadline is not None and deadline < now
            soon = not late and deadline is not None and deadline - now <= WEEK
            if late:
                overdue.append(case)
            elif soon:
                week.append(case)
            actor = case.accepted_by
            if actor is not None and actor not in officers:
                officers[actor] = OfficerLoad(officer_name(names.get(actor)))
            for load in (officers[actor], by_region.get(case.row.region)):
                if load is not None:
                    load.open += 1
                    load.week += soon
                    load.overdue += late
        return DeadlinesOverview(
            overdue=[self._summaries.summary(c.row, locale, now) for c in overdue[:LISTED]],
            week=[self._summaries.summary(c.row, locale, now) for c in week[:LISTED]],
            overdue_total=len(overdue),
            week_total=len(week),
            officers=sorted(officers.values(), key=lambda o: (o.accepted, *_busiest(o))),
            regions=sorted(by_region.values(), key=_busiest),
        )


def officer_name(person: Person | None) -> str:
    """As a case card names them: by name, an admin as such, someone the roster no longer
    knows as an officer."""
    if person is None:
        return _("an officer")
    return visible_text(person.name) if person.name else _("admin")


def _capitalised(label: str) -> str:
    return label[:1].upper() + label[1:]


def _busiest(load: Load) -> tuple[int, int, int, str]:
    return (-load.overdue, -load.week, -load.open, load.name)
