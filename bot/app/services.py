"""The services, built once from the settings; the repositories they share, kept apart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.utils.i18n import I18n

from bot.app.shared import Shared, shared_state
from bot.app.startup import usable_dir
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
from bot.cleaning.voice_mask import VoiceMask
from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.ops.maintenance import Maintenance
from bot.ops.retention import Retention
from bot.outbox.alerts import AdminAlerts
from bot.reports.checks import StatusChecks
from bot.reports.intake import MB, DiskSpace, FileIntake
from bot.reports.lookup import StatusLookup
from bot.reports.service import ReportService
from bot.reports.trail import ChatTrail
from bot.security.addresses import SUBSCRIBERS, ChatAddresses
from bot.security.crypto import Cipher, Pseudonyms
from bot.security.guard import ReceiptGuard
from bot.security.keys import open_pseudonyms, resolve_keys
from bot.settings import Settings
from bot.stats.service import StatsService
from bot.telegram.i18n import create_i18n
from bot.telegram.languages import LanguageService
from bot.telegram.metrics import Metrics
from storage.attachments import AttachmentsRepository
from storage.attempts import AttemptsRepository
from storage.backends import open_database
from storage.broadcasts import BroadcastsRepository
from storage.cases import CasesRepository
from storage.database import Database
from storage.departments import DepartmentsRepository
from storage.fsm import SealedStorage
from storage.meta import MetaRepository
from storage.outbox import OutboxRepository
from storage.prefs import PrefsRepository
from storage.prompts import PromptsRepository
from storage.pseudonym_rotation import PseudonymRotationRepository
from storage.reports import ReportsRepository
from storage.retention import RetentionRepository
from storage.roster import RosterRepository
from storage.stats import StatsRepository
from storage.subscribers import SubscribersRepository
from storage.webapp import WebappRepository


@dataclass(frozen=True, slots=True)
class Repositories:
    """One of each, on the one database; the services share them."""

    attempts: AttemptsRepository
    reports: ReportsRepository
    attachments: AttachmentsRepository
    prefs: PrefsRepository
    cases: CasesRepository
    departments: DepartmentsRepository
    roster: RosterRepository
    prompts: PromptsRepository
    outbox: OutboxRepository
    broadcasts: BroadcastsRepository
    subscribers: SubscribersRepository
    stats: StatsRepository
    retention: RetentionRepository
    meta: MetaRepository
    webapp: WebappRepository

    @classmethod
    def on(cls, database: Database) -> Repositories:
        return cls(
            attempts=AttemptsRepository(database),
            reports=ReportsRepository(database),
            attachments=AttachmentsRepository(database),
            prefs=PrefsRepository(database),
            cases=CasesRepository(database),
            departments=DepartmentsRepository(database),
            roster=RosterRepository(database),
            prompts=PromptsRepository(database),
            outbox=OutboxRepository(database),
            broadcasts=BroadcastsRepository(database),
            subscribers=SubscribersRepository(database),
            stats=StatsRepository(database),
            retention=RetentionRepository(database),
            meta=MetaRepository(database),
            webapp=WebappRepository(database),
        )


@dataclass(slots=True)
class Services:
    """Everything the handlers and the background work use; the names the handlers receive
    are the field names (``create_dispatcher``)."""

    settings: Settings
    database: Database
    repositories: Repositories
    fsm: SealedStorage
    cipher: Cipher
    pseudonyms: Pseudonyms
    catalog: Catalog
    i18n: I18n
    chats: ChatAddresses
    deadlines: Deadlines
    outbox_ready: asyncio.Event
    broadcasts_changed: asyncio.Event
    reports: ReportService
    guard: ReceiptGuard
    languages: LanguageService
    maintenance: Maintenance
    retention: Retention
    departments: DepartmentService
    roster: Roster
    cases: CaseService
    cards: CaseCards
    prompts: AskPrompts
    digests: DigestService
    subscribers: SubscriberService
    broadcasts: BroadcastService
    stats: StatsService
    trail: ChatTrail
    intake: FileIntake
    checks: StatusChecks
    status_lookup: StatusLookup
    open_cases: OpenCases
    metrics: Metrics
    shared: Shared

    async def close(self) -> None:
        await self.database.close()
        await self.shared.close()


async def build_services(settings: Settings) -> Services:
    usable_dir("DATA_DIR", settings.data_dir)
    cipher = Cipher(resolve_keys(settings))
    database = await open_database(url=settings.postgres_url, path=settings.database_path)
    rows = Repositories.on(database)
    try:
        pseudonyms = await open_pseudonyms(rows.meta, cipher)
    except BaseException:
        await database.close()
        raise
    shared = shared_state(settings, pseudonyms)
    ttl = settings.draft_ttl_hours * 3600.0
    fsm = SealedStorage(database=database, sealer=cipher, hasher=pseudonyms, ttl_seconds=ttl)
    catalog = Catalog.load()
    i18n = create_i18n(settings.default_locale)
    chats = ChatAddresses(cipher, pseudonyms)
    deadlines = Deadlines(settings.ack_deadline_days, settings.answer_deadline_days)
    outbox_ready = asyncio.Event()
    broadcasts_changed = asyncio.Event()
    departments = DepartmentService(
        departments=rows.departments,
        cases=rows.cases,
        chats=chats,
        pseudonyms=pseudonyms,
        settings=settings,
        deadlines=deadlines,
    )
    await departments.seed(catalog)
    alerts = AdminAlerts(
        cipher=cipher,
        outbox=rows.outbox,
        admin_addresses=departments.admin_addresses,
        i18n=i18n,
        wake=outbox_ready,
    )
    reports = ReportService(
        reports=rows.reports,
        attachments=rows.attachments,
        cipher=cipher,
        pseudonyms=pseudonyms,
        quota=shared.reports_quota,
        sandbox=CleaningSandbox(
            voice=VoiceMask(
                settings.voice_pitch_hz,
                settings.voice_formant_ratio,
                settings.max_voice_minutes * 60,
            )
        ),
    )
    roster = Roster(
        repository=rows.roster,
        departments=departments,
        chats=chats,
        cipher=cipher,
        pseudonyms=pseudonyms,
        admin_ids=settings.admin_ids,
    )
    cases = CaseService(
        cases=rows.cases,
        departments=departments,
        chats=chats,
        cipher=cipher,
        catalog=catalog,
        i18n=i18n,
        outbox=rows.outbox,
        outbox_ready=outbox_ready,
        relay=RelayDelay(settings.relay_delay_minutes),
        undo_seconds=settings.close_undo_seconds,
    )
    guard = ReceiptGuard(rows.attempts)
    checks = StatusChecks(ttl)
    return Services(
        settings=settings,
        database=database,
        repositories=rows,
        fsm=fsm,
        cipher=cipher,
        pseudonyms=pseudonyms,
        catalog=catalog,
        i18n=i18n,
        chats=chats,
        deadlines=deadlines,
        outbox_ready=outbox_ready,
        broadcasts_changed=broadcasts_changed,
        reports=reports,
        guard=guard,
        languages=LanguageService(rows.prefs),
        maintenance=Maintenance(fsm, reports, rows.attempts, rows.meta),
        retention=Retention(rows.retention, settings.retention_days),
        departments=departments,
        roster=roster,
        cases=cases,
        cards=CaseCards(
            cases=rows.cases,
            outbox=rows.outbox,
            departments=departments,
            roster=roster,
            chats=chats,
            cipher=cipher,
            catalog=catalog,
            i18n=i18n,
            deadlines=deadlines,
            zone=settings.tz,
        ),
        prompts=AskPrompts(rows.prompts, cases),
        digests=DigestService(
            cases=rows.cases,
            attachments=rows.attachments,
            outbox=rows.outbox,
            departments=departments,
            department_rows=rows.departments,
            cipher=cipher,
            catalog=catalog,
            i18n=i18n,
            deadlines=deadlines,
            outbox_ready=outbox_ready,
            zone=settings.tz,
        ),
        subscribers=SubscriberService(
            rows.subscribers, ChatAddresses(cipher, pseudonyms, SUBSCRIBERS)
        ),
        broadcasts=BroadcastService(
            broadcasts=rows.broadcasts, chats=chats, cipher=cipher, wake=broadcasts_changed
        ),
        stats=StatsService(
            stats=rows.stats,
            cipher=cipher,
            chats=chats,
            catalog=catalog,
            i18n=i18n,
            deadlines=deadlines,
            zone=settings.tz,
        ),
        trail=ChatTrail(fsm),
        intake=FileIntake(
            attachments=rows.attachments,
            reports=rows.reports,
            pseudonyms=pseudonyms,
            report_bytes=settings.max_report_file_mb * MB,
            daily=shared.files_quota,
            disk=DiskSpace(settings.data_dir, settings.min_free_disk_mb * MB, alerts),
        ),
        checks=checks,
        status_lookup=StatusLookup(
            reports=reports, guard=guard, questions=cases, checks=checks, deadlines=deadlines
        ),
        open_cases=OpenCases(
            cases=rows.cases,
            outbox=rows.outbox,
            chats=chats,
            cipher=cipher,
            deadlines=deadlines,
            outbox_ready=outbox_ready,
        ),
        metrics=Metrics(
            rows.outbox,
            rows.broadcasts,
            PseudonymRotationRepository(database),
            cipher.key_count,
        ),
        shared=shared,
    )


def create_sender(
    bot: Bot, services: Services, *, clock: Callable[[], float] = time.time
) -> OutboxSender:
    """The outbox sender; ``clock`` lets a test move time."""
    return OutboxSender(
        bot=bot,
        outbox=services.repositories.outbox,
        cases=services.repositories.cases,
        attachments=services.repositories.attachments,
        departments=services.repositories.departments,
        chats=services.chats,
        cipher=services.cipher,
        i18n=services.i18n,
        admin_addresses=services.departments.admin_addresses,
        catalog=services.catalog,
        cards=services.cards,
        interval=services.settings.send_interval_seconds,
        zone=services.settings.tz,
        wake=services.outbox_ready,
        metrics=services.metrics,
        clock=clock,
    )


def create_broadcast_runner(bot: Bot, services: Services) -> BroadcastRunner:
    return BroadcastRunner(
        bot=bot,
        service=services.broadcasts,
        broadcasts=services.repositories.broadcasts,
        subscribers=services.repositories.subscribers,
        addresses=services.subscribers,
        catalog=services.catalog,
        i18n=services.i18n,
        zone=services.settings.tz,
        rate=services.settings.broadcast_rate,
        wake=services.broadcasts_changed,
        leads=services.shared.leadership.holds,
    )
