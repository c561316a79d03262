"""Retention, a daily job: what is deleted, when, and how its bytes leave the files.

- Closed cases, with their files, notes, questions, history and messages: RETENTION_DAYS after
  closing. Their audit entries stay: pseudonyms, actions, regions and times, no content.
- Invite codes: a week after they were used, or expired unused.
- Messages of no case (digest headers, reminders, alerts, notices to reporters): a week after
  they went out.
- Recipient lists of broadcasts finished 30 days ago, except the newest ten, whose counts
  /broadcasts shows.

Drafts and their files are ``Maintenance``'s. ``secure_delete`` zeroes deleted content in the
pages; the checkpoint then empties the WAL, which would still hold the pages' older images.
VACUUM only gives free pages back to the disk (``python -m bot vacuum``); nothing needs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.broadcasts.service import RECENT
from bot.core.clock import utc_now
from bot.settings import ConfigError, Settings
from storage.backends import DRIVER_ERRORS, open_database
from storage.retention import RetentionRepository

logger = logging.getLogger(__name__)

SPENT_INVITES_KEPT = timedelta(days=7)
SENT_MESSAGES_KEPT = timedelta(days=7)
RECIPIENTS_KEPT = timedelta(days=30)
CASES_PER_BATCH = 20
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Removed:
    cases: int
    invites: int
    messages: int
    recipients: int


class Retention:
    def __init__(
        self,
        repository: RetentionRepository,
        retention_days: int,
        keep_broadcasts: int = RECENT,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._repository = repository
        self._kept = timedelta(days=retention_days)
        self._keep_broadcasts = keep_broadcasts
        self._clock = clock

    async def run(self) -> Removed:
        now = self._clock()
        cases = 0
        closed_before = (now - self._kept).isoformat()
        while deleted := await self._repository.delete_closed_cases(closed_before, CASES_PER_BATCH):
            cases += deleted
        removed = Removed(
            cases,
            await self._repository.delete_spent_invites((now - SPENT_INVITES_KEPT).timestamp()),
            await self._repository.delete_sent_messages((now - SENT_MESSAGES_KEPT).timestamp()),
            await self._repository.delete_recipients(
                (now - RECIPIENTS_KEPT).timestamp(), self._keep_broadcasts
            ),
        )
        if not await self._repository.checkpoint():
            logger.warning("The WAL checkpoint after retention could not finish; the next will")
        logger.info(
            "Retention: removed %d closed cases, %d invite codes, %d sent messages, "
            "%d broadcast recipients",
            removed.cases,
            removed.invites,
            removed.messages,
            removed.recipients,
        )
        return removed


async def run_vacuum(settings: Settings) -> int:
    """``python -m bot vacuum``: rebuild the database without its free space (on PostgreSQL,
    ``VACUUM FULL``, which locks each table while it is rewritten)."""
    path = settings.database_path
    if settings.postgres_url is None and not path.exists():
        raise ConfigError(f"DATA_DIR holds no database ({path})")
    database = await open_database(url=settings.postgres_url, path=path)
    before = await database.size()
    try:
        repository = RetentionRepository(database)
        await repository.vacuum()
        await repository.checkpoint()
        after = await database.size()
    except DRIVER_ERRORS as exc:
        print(f"Vacuum failed: {exc}; stop the bot and run it again")
        return 1
    finally:
        await database.close()
    print(f"Database compacted: {before / MB:.1f} MB -> {after / MB:.1f} MB")
    return 0
