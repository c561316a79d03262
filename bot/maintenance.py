"""Periodic clean-up: drafts silent for longer than DRAFT_TTL and what only they referenced."""

from __future__ import annotations

import logging
import time

from bot.reports import ReportService
from storage.attempts import AttemptsRepository
from storage.fsm import SQLiteStorage

logger = logging.getLogger(__name__)

ATTEMPTS_KEPT_SECONDS = 24 * 3600


class Maintenance:
    def __init__(
        self,
        fsm: SQLiteStorage,
        reports: ReportService,
        attempts: AttemptsRepository,
        draft_ttl_seconds: float,
    ) -> None:
        self._fsm = fsm
        self._reports = reports
        self._attempts = attempts
        self._draft_ttl = draft_ttl_seconds

    async def purge_expired(self) -> None:
        drafts = await self._fsm.purge_expired()
        # A draft's files may be older than its last message, so they are kept twice as long.
        files = await self._reports.purge_abandoned_files(2 * self._draft_ttl)
        await self._attempts.purge_older_than(time.time() - ATTEMPTS_KEPT_SECONDS)
        if drafts or files:
            logger.info("Removed %d expired drafts and %d abandoned files", drafts, files)
