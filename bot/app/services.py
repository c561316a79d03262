"""Wiring: build the services from the settings, and the Bot and Dispatcher around them."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
)
from aiogram.utils.i18n import I18n
from aiohttp import ClientError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.app.startup import usable_dir, wait_for_telegram
from bot.broadcasts.runner import BroadcastRunner
from bot.broadcasts.service import BroadcastService
from bot.broadcasts.subscribers import SubscriberService
from bot.cases.card import CaseCards
from bot.cases.delivery import OutboxSender
from bot.cases.digest import DigestService
from bot.cases.open_cases import OpenCases
from bot.cases.prompts import AskPrompts
from bot.cases.relay import RelayDelay
from bot.cases.service import CaseService
from bot.cleaning.sandbox import CleaningSandbox
from bot.core.catalog import Catalog
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines
from bot.core.quota import DailyQuota
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.ops.maintenance import Maintenance
from bot.ops.retention import Retention
from bot.outbox.alerts import AdminAlerts
from bot.reports.checks import StatusChecks
from bot.reports.intake import MB, DiskSpace, FileIntake
from bot.reports.service import ReportService
from bot.reports.trail import ChatTrail, SentMessages, TrailMiddleware
from bot.security.addresses import SUBSCRIBERS, ChatAddresses
from bot.security.crypto import Cipher, DecryptionError, Pseudonyms
from bot.security.guard import ReceiptGuard
from bot.security.keys import resolve_keys
from bot.settings import SUPPORTED_LOCALES, ConfigError, Settings
from bot.stats.service import StatsService
from bot.telegram.i18n import LocaleChooser, LocaleMiddleware, create_i18n
from bot.telegram.isolation import EventIsolation
from bot.telegram.languages import LanguageService
from bot.telegram.middlewares import (
    InFlightUpdates,
    OneUpdateRowsMiddleware,
    PseudonymMiddleware,
    ViewMiddleware,
)
from bot.telegram.patches import run_filters_on_loop
from bot.telegram.sanitize import CleanTextMiddleware
from bot.telegram.session import Session
from bot.telegram.throttle import MESSAGES, PRESSES, ThrottleMiddleware, TokenBuckets
from bot.ui import texts
from handlers import get_routers
from storage.attachments import AttachmentsRepository
from storage.attempts import AttemptsRepository
from storage.broadcasts import BroadcastsRepository
from storage.cases import CasesRepository
from storage.database import Database
from storage.departments import DepartmentsRepository
from storage.fsm import SQLiteStorage
from storage.meta import MetaRepository
from storage.outbox import OutboxRepository
from storage.prefs import PrefsRepository
from storage.prompts import PromptsRepository
from storage.reports import ReportsRepository
from storage.retention import RetentionRepository
from storage.roster import RosterRepository
from storage.stats import StatsRepository
from storage.subscribers import SubscribersRepository

logger = logging.getLogger(__name__)

LOOKUP_KEY = "lookup_key"
LOOKUP_KEY_AAD = f"meta:{LOOKUP_KEY}:value"  # = meta_aad(LOOKUP_KEY)
NEXT_LOOKUP_KEY = "lookup_key_next"
"""The key an unfinished ``rotate-pseudonyms`` is moving to; the bot does not start beside it."""
RETIRED_LOOKUP_KEYS = "retired_lookup_keys"
"""Earlier pseudonym keys, concatenated: only receipt codes are still looked up under them."""
KEY_BYTES = 32
MAINTENANCE_MINUTES = 30
UNDO_SWEEP_SECONDS = 15
"""How often closes past their undo window are made final (and lose their Undo button)."""
RETENTION_SCHEDULE = "30 3 * * *"  # daily, at night in TIMEZONE
URGENT_SECONDS = 30
SHUTDOWN_GRACE_SECONDS = 10
DIGEST_DRAIN_SECONDS = 600


@dataclass(slots=True)
class Services:
    settings: Settings
    database: Database
    cipher: Cipher
    pseudonyms: Pseudonyms
    catalog: Catalog
    i18n: I18n
    fsm: SQLiteStorage
    prefs: PrefsRepository
    reports: ReportService
    guard: ReceiptGuard
    languages: LanguageService
    maintenance: Maintenance
    retention: Retention
    chats: ChatAddresses
    deadlines: Deadlines
    departments: DepartmentService
    roster: Roster
    cases: CaseService
    cards: CaseCards
    prompts: AskPrompts
    digests: DigestService
    outbox: OutboxRepository
    attachments: AttachmentsRepository
    outbox_ready: asyncio.Event
    subscribers: SubscriberService
    broadcasts: BroadcastService
    broadcasts_changed: asyncio.Event
    stats: StatsService
    trail: ChatTrail
    intake: FileIntake
    checks: StatusChecks
    open_cases: OpenCases

    async def close(self) -> None:
        await self.database.close()


async def build_services(settings: Settings) -> Services:
    usable_dir("DATA_DIR", settings.data_dir)
    cipher = Cipher(resolve_keys(settings))
    database = await Database.open(settings.database_path)
    try:
        pseudonyms = await open_pseudonyms(MetaRepository(database), cipher)
    except BaseException:
        await database.close()
        raise
    attempts = AttemptsRepository(database)
    ttl = settings.draft_ttl_hours * 3600.0
    fsm = SQLiteStorage(database, cipher, pseudonyms, ttl_seconds=ttl)
    reports = ReportService(
        ReportsRepository(database),
        AttachmentsRepository(database),
        cipher,
        pseudonyms,
        DailyQuota(settings.reports_per_day, settings.tz, utc_now),
        CleaningSandbox(),
    )
    prefs = PrefsRepository(database)
    catalog = Catalog.load()
    i18n = create_i18n(settings.default_locale)
    chats = ChatAddresses(cipher, pseudonyms)
    deadlines = Deadlines(settings.ack_deadline_days, settings.answer_deadline_days)
    cases_repository = CasesRepository(database)
    department_rows = DepartmentsRepository(database)
    departments = DepartmentService(
        department_rows, cases_repository, chats, pseudonyms, settings, deadlines
    )
    await departments.seed(catalog)
    outbox = OutboxRepository(database)
    attachments = AttachmentsRepository(database)
    outbox_ready = asyncio.Event()
    alerts = AdminAlerts(cipher, outbox, departments.admin_addresses, i18n, outbox_ready)
    broadcasts_changed = asyncio.Event()
    roster = Roster(
        RosterRepository(database), departments, chats, cipher, pseudonyms, settings.admin_ids
    )
    cases = CaseService(
        cases_repository,
        departments,
        chats,
        cipher,
        catalog,
        i18n,
        outbox,
        outbox_ready,
        RelayDelay(settings.relay_delay_minutes),
        settings.close_undo_seconds,
    )
    cards = CaseCards(
        cases_repository,
        outbox,
        departments,
        roster,
        chats,
        cipher,
        catalog,
        i18n,
        deadlines,
        settings.tz,
    )
    return Services(
        settings=settings,
        database=database,
        cipher=cipher,
        pseudonyms=pseudonyms,
        catalog=catalog,
        i18n=i18n,
        fsm=fsm,
        prefs=prefs,
        reports=reports,
        guard=ReceiptGuard(attempts),
        languages=LanguageService(prefs),
        maintenance=Maintenance(fsm, reports, attempts, MetaRepository(database)),
        retention=Retention(RetentionRepository(database), settings.retention_days),
        chats=chats,
        deadlines=deadlines,
        departments=departments,
        roster=roster,
        cases=cases,
        cards=cards,
        prompts=AskPrompts(PromptsRepository(database), cases),
        digests=DigestService(
            cases_repository,
            attachments,
            outbox,
            departments,
            department_rows,
            cipher,
            catalog,
            i18n,
            deadlines,
            outbox_ready,
            settings.tz,
        ),
        outbox=outbox,
        attachments=attachments,
        outbox_ready=outbox_ready,
        subscribers=SubscriberService(
            SubscribersRepository(database), ChatAddresses(cipher, pseudonyms, SUBSCRIBERS)
        ),
        broadcasts=BroadcastService(
            BroadcastsRepository(database), chats, cipher, broadcasts_changed
        ),
        broadcasts_changed=broadcasts_changed,
        stats=StatsService(
            StatsRepository(database), cipher, chats, catalog, i18n, deadlines, settings.tz
        ),
        trail=ChatTrail(fsm),
        intake=FileIntake(
            attachments,
            ReportsRepository(database),
            pseudonyms,
            settings.max_report_file_mb * MB,
            DailyQuota(settings.file_mb_per_day * MB, settings.tz, utc_now),
            DiskSpace(settings.data_dir, settings.min_free_disk_mb * MB, alerts),
        ),
        checks=StatusChecks(ttl),
        open_cases=OpenCases(cases_repository, outbox, chats, cipher, deadlines, outbox_ready),
    )


async def open_lookup_key(meta: MetaRepository, cipher: Cipher) -> bytes:
    """The HMAC key for pseudonyms: random, kept in the database sealed under the encryption key.

    Sealed rather than derived, so that rotating the encryption key (re-sealing this value)
    keeps every pseudonym and receipt-code hash valid.
    """
    stored = await meta.get(LOOKUP_KEY)
    if stored is None:
        stored = await meta.put_if_absent(LOOKUP_KEY, cipher.seal(os.urandom(32), LOOKUP_KEY_AAD))
    try:
        return cipher.open(stored, LOOKUP_KEY_AAD)
    except DecryptionError:
        raise ConfigError(
            "ENCRYPTION_KEYS does not match this database: none of the configured keys opens it"
        ) from None


async def open_pseudonyms(meta: MetaRepository, cipher: Cipher) -> Pseudonyms:
    """The current pseudonym key with the retired ones; refused while a rotation is unfinished,
    whose rows are partly under the next key."""
    if await meta.get(NEXT_LOOKUP_KEY) is not None:
        raise ConfigError(
            "a pseudonym rotation is unfinished: run `python -m bot rotate-pseudonyms` again to "
            "complete it before starting the bot"
        )
    current = await open_lookup_key(meta, cipher)
    return Pseudonyms(current, await open_retired_keys(meta, cipher))


async def open_retired_keys(meta: MetaRepository, cipher: Cipher) -> list[bytes]:
    sealed = await meta.get(RETIRED_LOOKUP_KEYS)
    if sealed is None:
        return []
    joined = cipher.open(sealed, meta_aad(RETIRED_LOOKUP_KEYS))
    return [joined[i : i + KEY_BYTES] for i in range(0, len(joined), KEY_BYTES)]


def meta_aad(name: str) -> str:
    return f"meta:{name}:value"


def create_bot(settings: Settings) -> Bot:
    session = (
        Session(api=TelegramAPIServer.from_base(settings.telegram_api_url))
        if settings.telegram_api_url
        else Session()
    )
    session.middleware(SentMessages())
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True)
        ),
    )


def create_dispatcher(
    services: Services, events_isolation: BaseEventIsolation | None = None
) -> Dispatcher:
    dispatcher = Dispatcher(
        storage=services.fsm,
        events_isolation=events_isolation or EventIsolation(),
        disable_fsm=True,  # registered below, inside the scope of one update's FSM rows
        settings=services.settings,
        reports=services.reports,
        guard=services.guard,
        languages=services.languages,
        departments=services.departments,
        roster=services.roster,
        cases=services.cases,
        cards=services.cards,
        prompts=services.prompts,
        subscribers=services.subscribers,
        broadcasts=services.broadcasts,
        stats=services.stats,
        trail=services.trail,
        intake=services.intake,
        checks=services.checks,
        open_cases=services.open_cases,
        deadlines=services.deadlines,
    )
    dispatcher["in_flight"] = in_flight = InFlightUpdates()
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.update.outer_middleware(PseudonymMiddleware(services.pseudonyms))
    choose_locale = LocaleChooser(
        services.prefs, services.departments.chat_locale, services.i18n.default_locale
    )
    dispatcher.update.outer_middleware(
        ThrottleMiddleware(
            TokenBuckets(MESSAGES), TokenBuckets(PRESSES), services.i18n, choose_locale
        )
    )
    dispatcher.update.outer_middleware(OneUpdateRowsMiddleware())
    dispatcher.update.outer_middleware(dispatcher.fsm)
    clean = CleanTextMiddleware()
    dispatcher.message.outer_middleware(clean)
    dispatcher.callback_query.outer_middleware(clean)
    LocaleMiddleware(services.i18n, choose_locale).setup(dispatcher)
    trail = TrailMiddleware(services.trail)
    dispatcher.message.outer_middleware(trail)
    dispatcher.callback_query.outer_middleware(trail)
    view = ViewMiddleware(services.catalog, services.settings.tz)
    for name, observer in dispatcher.observers.items():
        if name != "update":
            observer.outer_middleware(view)
    dispatcher.include_routers(*get_routers(services.settings.admin_ids))
    run_filters_on_loop(dispatcher)
    return dispatcher


async def publish_profile(bot: Bot, services: Services) -> None:
    """The command menu and descriptions, in each language and as the default; admins' menus."""
    settings = services.settings
    for locale in (*SUPPORTED_LOCALES, None):
        with services.i18n.context(), services.i18n.use_locale(locale or settings.default_locale):
            commands = [
                BotCommand(command=name, description=text)
                for name, text in texts.commands().items()
            ]
            await bot.set_my_commands(commands, language_code=locale)
            await bot.set_my_description(
                texts.bot_description(settings.hotline), language_code=locale
            )
            await bot.set_my_short_description(texts.bot_short_description(), language_code=locale)
            await bot.set_my_commands(
                [BotCommand(command=k, description=v) for k, v in texts.group_commands().items()],
                scope=BotCommandScopeAllGroupChats(),
                language_code=locale,
            )
    for admin_id in sorted(settings.admin_ids):
        saved = await services.prefs.get_locale(services.pseudonyms.digest("user", admin_id))
        with services.i18n.context(), services.i18n.use_locale(saved or settings.default_locale):
            await bot.set_my_commands(
                [BotCommand(command=k, description=v) for k, v in texts.admin_commands().items()],
                scope=BotCommandScopeChat(chat_id=admin_id),
            )


def create_sender(
    bot: Bot, services: Services, clock: Callable[[], float] = time.time
) -> OutboxSender:
    return OutboxSender(
        bot=bot,
        outbox=services.outbox,
        cases=CasesRepository(services.database),
        attachments=services.attachments,
        departments=DepartmentsRepository(services.database),
        chats=services.chats,
        cipher=services.cipher,
        i18n=services.i18n,
        admin_addresses=services.departments.admin_addresses,
        catalog=services.catalog,
        cards=services.cards,
        interval=services.settings.send_interval_seconds,
        zone=services.settings.tz,
        wake=services.outbox_ready,
        clock=clock,
    )


def create_broadcast_runner(bot: Bot, services: Services) -> BroadcastRunner:
    return BroadcastRunner(
        bot=bot,
        service=services.broadcasts,
        broadcasts=BroadcastsRepository(services.database),
        subscribers=SubscribersRepository(services.database),
        addresses=services.subscribers,
        catalog=services.catalog,
        i18n=services.i18n,
        zone=services.settings.tz,
        rate=services.settings.broadcast_rate,
        wake=services.broadcasts_changed,
    )


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


def freeze_startup_objects() -> None:
    """Exempt what start-up built from the garbage collector's full collections.

    aiogram's models leave some 200,000 long-lived objects; each full collection walked them all,
    a pause of about 180 ms that landed on whichever updates were waiting (bench/RESULTS.md).
    """
    gc.collect()
    gc.freeze()


async def finish_updates(dispatcher: Dispatcher) -> None:
    """After polling stops: let the updates already taken finish before the database closes."""
    in_flight: InFlightUpdates = dispatcher["in_flight"]
    await in_flight.finish(within=SHUTDOWN_GRACE_SECONDS)


async def run_polling(settings: Settings) -> None:
    services = await build_services(settings)
    bot = create_bot(settings)
    scheduler = create_scheduler(services, bot)
    background: list[asyncio.Task[None]] = []
    stop = asyncio.Event()
    dispatcher = create_dispatcher(services)
    try:
        await wait_for_telegram(bot, settings)
        try:
            await publish_profile(bot, services)
        except TelegramUnauthorizedError:
            raise ConfigError("BOT_TOKEN is invalid: Telegram rejected it") from None
        except (TelegramAPIError, ClientError, TimeoutError) as exc:
            logger.warning("Could not publish the command menu yet (%s)", type(exc).__name__)
        await services.maintenance.purge_expired()
        await services.maintenance.forget_file_names()
        scheduler.start()
        log_jobs(scheduler)
        outbox_sender = create_sender(bot, services)
        await outbox_sender.recover()
        broadcast_runner = create_broadcast_runner(bot, services)
        await broadcast_runner.recover()
        background += [
            asyncio.create_task(outbox_sender.run(stop)),
            asyncio.create_task(broadcast_runner.run(stop)),
        ]
        freeze_startup_objects()
        logger.info("Adal is running")
        await dispatcher.start_polling(
            bot,
            allowed_updates=dispatcher.resolve_used_update_types(),
            handle_signals=True,
            close_bot_session=False,
        )
    finally:
        await finish_updates(dispatcher)
        if scheduler.running:
            scheduler.shutdown(wait=False)
        stop.set()
        services.outbox_ready.set()
        services.broadcasts_changed.set()
        await asyncio.gather(*background)
        await services.close()
        await bot.session.close()


async def run_digest(settings: Settings) -> int:
    """``python -m bot digest``: queue every new case now, deliver, exit; 1 if some wait."""
    services = await build_services(settings)
    bot = create_bot(settings)
    try:
        outbox_sender = create_sender(bot, services)
        await outbox_sender.recover()
        queued = await services.digests.queue()
        pending = await outbox_sender.drain(within=DIGEST_DRAIN_SECONDS, owed_now=True)
    finally:
        await services.close()
        await bot.session.close()
    logger.info("Digest: %d cases queued, %d messages still pending", queued, pending)
    return 1 if pending else 0
