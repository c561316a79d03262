"""The scheduled jobs: digests, reminders, urgent cases, expired drafts, closes made final,
retention."""

from __future__ import annotations

import logging
from functools import partial

from aiogram import Bot
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.app.services import Services

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
    scheduler.add_job(
        services.digests.queue,
        CronTrigger.from_crontab(settings.digest_schedule, timezone=settings.tz),
        id="digest",
        name="digests",
        **jobs,
    )
    scheduler.add_job(
        services.digests.remind,
        CronTrigger.from_crontab(settings.reminder_schedule, timezone=settings.tz),
        id="reminder",
        name="overdue reminders",
        **jobs,
    )
    scheduler.add_job(
        partial(services.digests.queue, urgent_only=True),
        "interval",
        seconds=URGENT_SECONDS,
        id="urgent",
        name="urgent cases",
        **jobs,
    )
    scheduler.add_job(
        services.maintenance.purge_expired,
        "interval",
        minutes=MAINTENANCE_MINUTES,
        id="purge_expired",
        name="expired drafts purge",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        partial(make_closes_final, services, bot),
        "interval",
        seconds=UNDO_SWEEP_SECONDS,
        id="undo_windows",
        name="closes made final",
        **jobs,
    )
    scheduler.add_job(
        services.retention.run,
        CronTrigger.from_crontab(RETENTION_SCHEDULE, timezone=settings.tz),
        id="retention",
        name="retention",
        **jobs,
    )
    return scheduler


def log_jobs(scheduler: AsyncIOScheduler) -> None:
    """One line per job: its name and next run (APScheduler's own lines are silenced)."""
    for job in scheduler.get_jobs():
        logger.info(
            "Scheduled %s: next run %s", job.name, job.next_run_time.isoformat(timespec="seconds")
        )
