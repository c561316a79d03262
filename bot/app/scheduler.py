"""The scheduled jobs: digests, reminders, urgent cases, expired drafts, closes made final,
retention; each run only by the replica that holds the leadership (bot/replicas/leadership.py),
always this process without Redis."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.app.services import Services
from bot.replicas.leadership import fenced

logger = logging.getLogger(__name__)

MAINTENANCE_MINUTES = 30
UNDO_SWEEP_SECONDS = 15
"""How often closes past their undo window are made final (and lose their Undo button)."""
RETENTION_SCHEDULE = "30 3 * * *"  # daily, at night in TIMEZONE
URGENT_SECONDS = 30


async def make_closes_final(services: Services, bot: Bot | None) -> None:
    """Closes past their undo window become final; their cards lose the Undo button."""
    for report_id, region in await services.cases.end_undo_windows():
        if bot is not None:
            await services.cards.refresh(bot, report_id, region)


def create_scheduler(services: Services, bot: Bot | None = None) -> AsyncIOScheduler:
    settings = services.settings
    scheduler = AsyncIOScheduler(timezone=settings.tz)
    jobs = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}

    def add(
        job: Callable[[], Awaitable[object]], trigger: object, name: str, **options: Any
    ) -> None:
        scheduler.add_job(
            fenced(job, services.shared.leadership, name), trigger, name=name, **options
        )

    add(
        services.digests.queue,
        CronTrigger.from_crontab(settings.digest_schedule, timezone=settings.tz),
        "digests",
        id="digest",
        **jobs,
    )
    add(
        services.digests.remind,
        CronTrigger.from_crontab(settings.reminder_schedule, timezone=settings.tz),
        "overdue reminders",
        id="reminder",
        **jobs,
    )
    add(
        partial(services.digests.queue, urgent_only=True),
        "interval",
        "urgent cases",
        seconds=URGENT_SECONDS,
        id="urgent",
        **jobs,
    )
    add(
        services.maintenance.purge_expired,
        "interval",
        "expired drafts purge",
        minutes=MAINTENANCE_MINUTES,
        id="purge_expired",
        max_instances=1,
        coalesce=True,
    )
    add(
        partial(make_closes_final, services, bot),
        "interval",
        "closes made final",
        seconds=UNDO_SWEEP_SECONDS,
        id="undo_windows",
        **jobs,
    )
    add(
        services.retention.run,
        CronTrigger.from_crontab(RETENTION_SCHEDULE, timezone=settings.tz),
        "retention",
        id="retention",
        **jobs,
    )
    return scheduler


def log_jobs(scheduler: AsyncIOScheduler) -> None:
    """One line per job: its name and next run (APScheduler's own lines are silenced)."""
    for job in scheduler.get_jobs():
        logger.info(
            "Scheduled %s: next run %s", job.name, job.next_run_time.isoformat(timespec="seconds")
        )
