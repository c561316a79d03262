"""Statistics and CSV exports of cases, limited to the regions the requester may see.

``regions`` is a set of region codes (a department chat's) or None (an admin: every region).
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.core.catalog import Catalog
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines
from bot.core.values import OPEN
from bot.reports.views import occurred_label
from bot.security.addresses import ChatAddresses
from bot.security.crypto import Cipher
from bot.stats.chart import render_chart
from bot.telegram.sanitize import visible_text
from bot.ui.labels import case_status_labels, resolution_labels
from storage.stats import BroadcastReach, ExportRow, StatsRepository

WEEKS = 8
BROADCASTS_SHOWN = 3
EXPORT_FILE_BYTES = 45 * 1024 * 1024
"""Under the 50 MB a bot may upload, with room for the request around the file."""
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts are (code, count) pairs, most first; ``weekly`` is (Monday, count), oldest first."""

    regions: frozenset[str] | None
    total: int
    by_region: tuple[tuple[str, int], ...]
    by_category: tuple[tuple[str, int], ...]
    by_status: tuple[tuple[str, int], ...]
    weekly: tuple[tuple[date, int], ...]
    to_accept: timedelta | None
    to_close: timedelta | None
    overdue_by_region: tuple[tuple[str, int], ...]
    """Worst first."""
    unrouted: int = 0
    given_up: int = 0
    refusing: int = 0
    subscribers: tuple[tuple[str, int], ...] = ()
    """Active news subscribers per language; only for every region (an admin)."""
    reach: tuple[BroadcastReach, ...] = ()
    """The latest broadcasts, newest first; only for every region (an admin)."""

    @property
    def open(self) -> int:
        return sum(count for status, count in self.by_status if status in OPEN)

    @property
    def overdue(self) -> int:
        return sum(count for _region, count in self.overdue_by_region)


@dataclass(frozen=True, slots=True)
class ExportPart:
    data: bytes
    cases: int


class _CsvFiles:
    """Rows split into CSV files of at most ``limit`` bytes, each opening with the header."""

    def __init__(self, header: list[str], limit: int) -> None:
        self._header = codecs.BOM_UTF8 + _csv_line(header)
        self._limit = limit
        self._parts: list[ExportPart] = []
        self._current = bytearray()
        self._cases = 0

    def add(self, cells: list[str]) -> None:
        line = _csv_line(cells)
        if self._cases and len(self._current) + len(line) > self._limit:
            self._close()
        if not self._current:
            self._current += self._header
        self._current += line
        self._cases += 1

    def finish(self) -> list[ExportPart]:
        if self._cases:
            self._close()
        return self._parts

    def _close(self) -> None:
        self._parts.append(ExportPart(bytes(self._current), self._cases))
        self._current = bytearray()
        self._cases = 0


def _csv_line(cells: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue().encode()


@dataclass(frozen=True, slots=True)
class _Labels:
    statuses: dict[str, str]
    resolutions: dict[str, str]


class StatsService:
    def __init__(
        self,
        *,
        stats: StatsRepository,
        cipher: Cipher,
        chats: ChatAddresses,
        catalog: Catalog,
        i18n: I18n,
        deadlines: Deadlines,
        zone: tzinfo,
    ) -> None:
        self._stats = stats
        self._cipher = cipher
        self._chats = chats
        self._catalog = catalog
        self._i18n = i18n
        self._deadlines = deadlines
        self._zone = zone

    async def summary(self, regions: frozenset[str] | None, now: datetime) -> Stats:
        scope = _scope(regions)
        return Stats(
            regions=regions,
            total=await self._stats.total(scope),
            by_region=tuple(await self._stats.counts("region", scope)),
            by_category=tuple(await self._stats.counts("category", scope)),
            by_status=tuple(await self._stats.counts("status", scope)),
            weekly=await self._weekly(scope, now),
            to_accept=_seconds(await self._stats.median_seconds("accepted", scope)),
            to_close=_seconds(await self._stats.median_seconds("closed", scope)),
            overdue_by_region=tuple(
                sorted(
                    await self._stats.overdue(
                        scope,
                        now.isoformat(),
                        self._deadlines.ack_days,
                        self._deadlines.answer_days,
                    ),
                    key=lambda pair: -pair[1],
                )
            ),
            unrouted=await self._stats.unrouted(scope),
            given_up=await self._stats.given_up(scope),
            refusing=await self._stats.refusing_chats(scope),
            # Subscribers and broadcasts belong to no region: a department sees none of them.
            subscribers=tuple(await self._stats.subscribers_by_locale()) if scope is None else (),
            reach=tuple(await self._stats.broadcast_reach(BROADCASTS_SHOWN))
            if scope is None
            else (),
        )

    async def chart(self, stats: Stats, locale: str) -> bytes:
        """The PNG, drawn in a worker thread (the thread inherits the language set here)."""
        with self._i18n.context(), self._i18n.use_locale(locale):
            return await asyncio.to_thread(render_chart, stats, self._catalog, locale)

    async def export_csv(
        self, regions: frozenset[str] | None, locale: str, actor_id: int
    ) -> list[ExportPart]:
        """The cases as CSV files (UTF-8 with BOM, for Excel), as many as Telegram's upload limit
        needs; the audit log records the export under the requester's pseudonym. The reporter's
        contact is never included."""
        scope = _scope(regions)
        with self._i18n.context(), self._i18n.use_locale(locale):
            files = _CsvFiles(_headers(), EXPORT_FILE_BYTES)
            labels = _Labels(case_status_labels(), resolution_labels())
            async for batch in self._stats.export_batches(scope):
                for row in batch:
                    files.add(self._cells(row, locale, labels))
        parts = files.finish()
        count = sum(part.cases for part in parts)
        await self._stats.record_export(
            self._chats.actor(actor_id), scope, f"{count} cases", utc_now().isoformat()
        )
        return parts

    async def _weekly(self, scope: list[str] | None, now: datetime) -> tuple[tuple[date, int], ...]:
        """Weeks in local time; the zone's offset now is applied to every report (no DST here)."""
        local = now.astimezone(self._zone)
        first = local.date() - timedelta(days=local.weekday(), weeks=WEEKS - 1)
        offset = local.utcoffset() or timedelta()
        counts = dict(
            await self._stats.weekly(scope, first.isoformat(), int(offset.total_seconds()) // 60)
        )
        weeks = [first + timedelta(weeks=index) for index in range(WEEKS)]
        return tuple((week, counts.get(week.isoformat(), 0)) for week in weeks)

    def _cells(self, row: ExportRow, locale: str, labels: _Labels) -> list[str]:
        region = self._catalog.region(row.region)
        sphere = self._catalog.category(row.category)
        cells = [
            row.case_no,
            region.name(locale) if region else row.region,
            sphere.name(locale) if sphere else row.category,
            occurred_label(row.occurred),
            self._open(row.id, "place", row.place),
            self._open(row.id, "body", row.body),
            labels.statuses.get(row.status, row.status),
            labels.resolutions.get(row.resolution or "", row.resolution),
            self._local(row.created_at),
            self._local(row.accepted_at),
            self._local(row.closed_at),
            _("Yes") if row.urgent else _("No"),
            row.attachments,
        ]
        return [safe_cell(cell) for cell in cells]

    def _open(self, report_id: str, field: str, blob: bytes | None) -> str | None:
        return (
            None if blob is None else self._cipher.open_text(blob, f"reports:{report_id}:{field}")
        )

    def _local(self, moment: str | None) -> str | None:
        if moment is None:
            return None
        return datetime.fromisoformat(moment).astimezone(self._zone).isoformat(timespec="seconds")


def safe_cell(value: object) -> str:
    """The cell as text, its visible characters only (bot/telegram/sanitize.py); one a spreadsheet
    would run as a formula gets a leading apostrophe."""
    text = "" if value is None else visible_text(str(value))
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _headers() -> list[str]:
    return [
        _("Case number"),
        _("Region"),
        _("Sphere"),
        _("When"),
        _("Organisation or place"),
        _("Text"),
        _("Status"),
        _("Result"),
        _("Received"),
        _("Accepted"),
        _("Closed"),
        _("Urgent"),
        _("Files"),
    ]


def _scope(regions: frozenset[str] | None) -> list[str] | None:
    return None if regions is None else sorted(regions)


def _seconds(value: float | None) -> timedelta | None:
    """Whole seconds: julianday arithmetic is only exact to about a millisecond."""
    return None if value is None else timedelta(seconds=round(value))
