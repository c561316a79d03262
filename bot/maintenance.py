"""Periodic clean-up: drafts silent for longer than DRAFT_TTL and what only they referenced."""

from __future__ import annotations

import logging
import time

from bot.draft import Draft
from bot.reports import ReportService
from storage.attempts import AttemptsRepository
from storage.fsm import SQLiteStorage

logger = logging.getLogger(__name__)

ATTEMPTS_KEPT_SECONDS = 24 * 3600
ABANDONED_FILES_KEPT_SECONDS = 7 * 24 * 3600
"""Files of no report whose draft is not known to have ended: a last resort, long enough for any
draft still being written."""


class Maintenance:
    def __init__(
        self,
        fsm: SQLiteStorage,
        reports: ReportService,
        attempts: AttemptsRepository,
    ) -> None:
        self._fsm = fsm
        self._reports = reports
        self._attempts = attempts

    async def purge_expired(self) -> None:
        """An expired draft's files go with it, before its row (a crash between them repeats it)."""
        files = 0
        for data in await self._fsm.expired_data():
            draft_id = Draft.started_in(data)
            if draft_id is not None:
                files += await self._reports.discard_draft(draft_id)
        drafts = await self._fsm.purge_expired()
        files += await self._reports.purge_abandoned_files(ABANDONED_FILES_KEPT_SECONDS)
        await self._attempts.purge_older_than(time.time() - ATTEMPTS_KEPT_SECONDS)
        if drafts or files:
            logger.info("Removed %d expired drafts and %d abandoned files", drafts, files)
