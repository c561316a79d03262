"""Periodic clean-up: drafts silent for longer than DRAFT_TTL and what only they referenced."""

from __future__ import annotations

import logging
import time

from bot.reports.draft import Draft
from bot.reports.service import ReportService
from storage.attempts import AttemptsRepository
from storage.fsm import SealedStorage
from storage.meta import FILE_NAMES_FORGOTTEN, RECORDINGS_MASKED, MetaRepository

logger = logging.getLogger(__name__)

ATTEMPTS_KEPT_SECONDS = 24 * 3600
ABANDONED_FILES_KEPT_SECONDS = 7 * 24 * 3600
"""Files of no report whose draft is not known to have ended: a last resort, long enough for any
draft still being written."""


class Maintenance:
    def __init__(
        self,
        fsm: SealedStorage,
        reports: ReportService,
        attempts: AttemptsRepository,
        meta: MetaRepository,
    ) -> None:
        self._fsm = fsm
        self._reports = reports
        self._attempts = attempts
        self._meta = meta

    async def forget_file_names(self) -> None:
        """Once per database, at the first start of a bot that no longer keeps file names."""
        if await self._meta.get(FILE_NAMES_FORGOTTEN) is not None:
            return
        forgotten = await self._reports.forget_file_names()
        await self._meta.put_if_absent(FILE_NAMES_FORGOTTEN, b"1")
        if forgotten:
            logger.info("%d stored files no longer carry the name they were sent with", forgotten)

    async def mask_stored_recordings(self) -> None:
        """Once per database, at the first start of a bot that masks voices: recordings stored
        before it are masked before the outbox sender may deliver them (a one-time cost of
        about half a second per recording, logged)."""
        if await self._meta.get(RECORDINGS_MASKED) is not None:
            return
        masked, kept = await self._reports.mask_stored_recordings()
        await self._meta.put_if_absent(RECORDINGS_MASKED, b"1")
        if masked or kept:
            logger.info("Masked %d stored recordings; %d could not be masked", masked, kept)

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
