"""Evidence files in, within what storage can bear: by size, not only by count.

Every file a reporter sends (in the dialog, as an addition or as an answer through /status)
passes here before it is downloaded and again after:

- a file already in that report or draft (Telegram's ``file_unique_id``) is not downloaded at
  all; what is stored of it is only a keyed hash of the report and the file, so the same file in
  two reports cannot be matched;
- a report holds at most ``MAX_REPORT_FILE_MB`` of files, a person sends at most
  ``FILE_MB_PER_DAY`` a day (counted in memory by pseudonym, like ``REPORTS_PER_DAY``: nothing
  stored tells when a pseudonym sent a file);
- below ``MIN_FREE_DISK_MB`` free on the filesystem of ``DATA_DIR`` new files are refused and the
  admins are alerted once a day at most; texts still go through;
- at most ``MAX_DOWNLOADS`` files are downloaded at once by the process.

A declared size that lies (or is missing) is caught after the download, before anything is
stored.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from aiogram import Bot
from aiogram.utils.i18n import gettext as _

from bot.core.quota import Quota
from bot.outbox.alerts import AdminAlerts
from bot.reports.evidence import IncomingFile, download
from bot.reports.service import submission_key
from bot.security.crypto import Pseudonyms
from storage.attachments import AttachmentsRepository
from storage.reports import ReportsRepository

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_DOWNLOADS = 4
ALERT_EVERY = 24 * 3600.0
# A stored file is written twice before a checkpoint: to the WAL, then to the database file.
DISK_COPIES = 2


class IntakeRefusal(StrEnum):
    DUPLICATE = "duplicate"
    REPORT_FULL = "report_full"
    DAY_FULL = "day_full"
    DISK_LOW = "disk_low"


class IntakeRefused(Exception):
    def __init__(self, refusal: IntakeRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a file goes: a draft, or a submitted report. ``scope`` is the same for a draft and
    the report it becomes (``bot.reports.service.submission_key``), so a file's key stays valid
    when the draft's files become the report's."""

    scope: bytes
    draft_id: str | None = None
    report_id: str | None = None


class DiskSpace:
    """Free space on the filesystem of ``path`` against a watermark; the admins hear of a
    shortage once a day at most, not once per refused file."""

    def __init__(
        self,
        path: Path,
        min_free_bytes: int,
        alerts: AdminAlerts,
    ) -> None:
        self._path = path
        self._min_free = min_free_bytes
        self._alerts = alerts
        self._alerted: float | None = None

    async def has_room(self, size: int) -> bool:
        free = shutil.disk_usage(self._path).free
        if free - DISK_COPIES * size >= self._min_free:
            return True
        now = time.monotonic()
        if self._alerted is None or now - self._alerted >= ALERT_EVERY:
            self._alerted = now
            logger.warning("Free disk space is below MIN_FREE_DISK_MB: new files are refused")
            try:
                await self._alerts.send(lambda: _disk_alert(free, self._min_free))
            except Exception as exc:  # a disk too full for the alert must not hide the refusal
                logger.warning("Could not queue the low-disk alert (%s)", type(exc).__name__)
        return False


class FileIntake:
    def __init__(
        self,
        *,
        attachments: AttachmentsRepository,
        reports: ReportsRepository,
        pseudonyms: Pseudonyms,
        report_bytes: int,
        daily: Quota,
        disk: DiskSpace,
        downloads: int = MAX_DOWNLOADS,
    ) -> None:
        """``report_bytes`` caps a report's files; ``daily`` counts a person's bytes a day."""
        self._attachments = attachments
        self._reports = reports
        self._pseudonyms = pseudonyms
        self._report_bytes = report_bytes
        self._daily = daily
        self._disk = disk
        self._downloads = asyncio.Semaphore(downloads)

    @property
    def report_mb(self) -> int:
        return self._report_bytes // MB

    @property
    def day_mb(self) -> int:
        return self._daily.limit // MB

    def for_draft(self, draft_id: str) -> Destination:
        return Destination(submission_key(self._pseudonyms, draft_id), draft_id=draft_id)

    async def for_report(self, report_id: str) -> Destination:
        scope = await self._reports.submission_key(report_id)
        return Destination(scope or report_id.encode(), report_id=report_id)

    def file_key(self, destination: Destination, file: IncomingFile) -> bytes | None:
        """A keyed hash of the file within its report: recognises it again, matches no other."""
        if file.unique_id is None:
            return None
        return self._pseudonyms.digest("file", destination.scope.hex(), file.unique_id)

    async def receive(
        self, bot: Bot, destination: Destination, file: IncomingFile, user_key: bytes
    ) -> bytes:
        """The file's bytes, or ``IntakeRefused`` (``FileTooLarge`` and Telegram's or the
        network's errors pass through)."""
        file_key = self.file_key(destination, file)
        if file_key is not None and await self._attachments.has_file_key(file_key):
            raise IntakeRefused(IntakeRefusal.DUPLICATE)
        await self._admit(destination, user_key, file.size or 0)
        async with self._downloads:
            data = await download(bot, file)
        await self._admit(destination, user_key, len(data))
        return data

    async def spend(self, user_key: bytes, size: int) -> None:
        """Count a stored file against the person's day."""
        await self._daily.spend(user_key, size)

    async def _admit(self, destination: Destination, user_key: bytes, size: int) -> None:
        if not await self._disk.has_room(size):
            raise IntakeRefused(IntakeRefusal.DISK_LOW)
        held = await self._attachments.stored_bytes(
            report_id=destination.report_id, draft_id=destination.draft_id
        )
        if held + size > self._report_bytes:
            raise IntakeRefused(IntakeRefusal.REPORT_FULL)
        if not await self._daily.allows(user_key, size):
            raise IntakeRefused(IntakeRefusal.DAY_FULL)


def _disk_alert(free: int, min_free: int) -> str:
    return _(
        "⚠️ Little free disk space where the bot keeps its data: {free} MB, less than "
        "MIN_FREE_DISK_MB ({limit} MB). New evidence files are refused until there is room; "
        "texts are still accepted. Free some space on the server."
    ).format(free=free // MB, limit=min_free // MB)
