"""Digests: queue each region's new cases, with a header, into the outbox for its chats."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict
from datetime import datetime, tzinfo

from aiogram.utils.i18n import I18n

from bot.cases.views import Relayed, digest_header, overdue_reminder, relayed_messages
from bot.core.catalog import Catalog
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines, Urgency
from bot.departments.service import DepartmentService
from bot.outbox.items import DIGEST_HEADER, payload_aad, text_item
from bot.security.crypto import Cipher
from storage.attachments import AttachmentsRepository
from storage.cases import CaseRow, CasesRepository
from storage.departments import DepartmentRow, DepartmentsRepository
from storage.outbox import NewItem, OutboxRepository

logger = logging.getLogger(__name__)


class DigestService:
    def __init__(
        self,
        *,
        cases: CasesRepository,
        attachments: AttachmentsRepository,
        outbox: OutboxRepository,
        departments: DepartmentService,
        department_rows: DepartmentsRepository,
        cipher: Cipher,
        catalog: Catalog,
        i18n: I18n,
        deadlines: Deadlines,
        outbox_ready: asyncio.Event,
        zone: tzinfo,
    ) -> None:
        self._zone = zone
        self._outbox_ready = outbox_ready
        self._cases = cases
        self._attachments = attachments
        self._outbox = outbox
        self._departments = departments
        self._department_rows = department_rows
        self._cipher = cipher
        self._catalog = catalog
        self._i18n = i18n
        self._deadlines = deadlines

    async def queue(self, *, urgent_only: bool = False) -> int:
        """Queue every case no digest has taken; returns how many cases were queued."""
        by_region: dict[str, list[CaseRow]] = defaultdict(list)
        for case in await self._cases.unqueued(urgent_only=urgent_only):
            by_region[case.region].append(case)
        queued = 0
        now = utc_now()
        for region, cases in by_region.items():
            queued += await self._queue_region(region, cases, now, with_header=not urgent_only)
        if queued:
            self._outbox_ready.set()
        return queued

    async def _queue_region(
        self, region: str, cases: list[CaseRow], now: datetime, *, with_header: bool
    ) -> int:
        targets = await self._departments.targets(region)
        if not targets.addresses:
            logger.warning("Region %s has neither a linked chat nor an admin to receive it", region)
            return 0
        department = await self._departments.department(region)
        files = {case.id: await self._attachments.kinds_for(case.id) for case in cases}
        open_cases = await self._cases.open_cases(region) if with_header else []
        notes: dict[str, dict[str, list[str]]] = {}
        headers: dict[str, str | None] = {}
        for locale in set(targets.locales.values()):
            with self._i18n.context(), self._i18n.use_locale(locale):
                notes[locale] = {case.id: await self._notes(case) for case in cases}
                headers[locale] = (
                    self._header(department, region, cases, open_cases, locale, now)
                    if with_header
                    else None
                )
        items: list[NewItem] = []
        for address in targets.addresses:
            locale = targets.locales[address.key]
            header = headers[locale]
            if header is not None:
                items.append(
                    text_item(self._cipher, DIGEST_HEADER, address.key, address.ref, header)
                )
            for case in cases:
                card = len(items)
                payload = json.dumps({"unrouted": targets.unrouted}).encode()
                items.append(
                    NewItem(
                        "report",
                        address.key,
                        address.ref,
                        report_id=case.id,
                        payload=self._cipher.seal(
                            payload, payload_aad("report", address.key, case.id)
                        ),
                    )
                )
                items.extend(
                    NewItem(
                        "attachment",
                        address.key,
                        address.ref,
                        report_id=case.id,
                        attachment_id=attachment_id,
                        parent=card,
                    )
                    for attachment_id, _ in files[case.id]
                )
                items.extend(
                    text_item(
                        self._cipher,
                        Relayed.ADDITION.value,
                        address.key,
                        address.ref,
                        text,
                        report_id=case.id,
                        parent=card,
                    )
                    for text in notes[locale][case.id]
                )
        await self._outbox.enqueue(
            items,
            time.time(),
            queued_reports=[case.id for case in cases],
            queued_at=now.isoformat(),
        )
        if with_header:
            await self._department_rows.set_last_digest(region, now.isoformat())
        return len(cases)

    def _header(
        self,
        department: DepartmentRow | None,
        region: str,
        cases: list[CaseRow],
        open_cases: list[CaseRow],
        locale: str,
        now: datetime,
    ) -> str:
        since = department.last_digest_at if department else None
        return digest_header(
            department.name(locale) if department else region,
            cases,
            open_cases,
            self._catalog,
            locale,
            self._deadlines,
            now,
            datetime.fromisoformat(since) if since else None,
            self._zone,
        )

    async def _notes(self, case: CaseRow) -> list[str]:
        """What the reporter added to the case before it reached this department: it goes with
        the card (later additions are relayed as they come, bot/cases/service.py)."""
        return [
            part
            for note in await self._cases.notes(case.id)
            for part in relayed_messages(
                Relayed.ADDITION,
                case.case_no,
                self._cipher.open_text(note.body, f"report_notes:{note.id}:body"),
            )
        ]

    async def remind(self) -> int:
        """Tell each department (or the admins, for unlinked regions) its overdue cases."""
        now = utc_now()
        overdue: dict[str, list[CaseRow]] = defaultdict(list)
        for case in await self._cases.open_cases():
            if self._deadlines.urgency(case, now) == Urgency.OVERDUE:
                overdue[case.region].append(case)
        items = []
        for region, cases in overdue.items():
            department = await self._departments.department(region)
            targets = await self._departments.targets(region)
            for address in targets.addresses:
                locale = targets.locales[address.key]
                with self._i18n.context(), self._i18n.use_locale(locale):
                    text = overdue_reminder(
                        department.name(locale) if department else region,
                        cases,
                        self._deadlines,
                        locale,
                        self._zone,
                    )
                items.append(text_item(self._cipher, "reminder", address.key, address.ref, text))
        if items:
            await self._outbox.enqueue(items, time.time())
            self._outbox_ready.set()
        return len(items)
