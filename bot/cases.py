"""Officers' actions on cases, each checked against the acting chat's regions when it happens."""

from __future__ import annotations

import asyncio
import json
import time

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Resolution
from bot.catalog import Catalog
from bot.chats import ChatAddresses
from bot.crypto import Cipher
from bot.departments import DepartmentService
from bot.digest import payload_aad
from bot.labels import resolution_labels
from bot.reports import utc_now
from storage.cases import CaseRow, CasesRepository, Change
from storage.outbox import NewItem


class CaseService:
    def __init__(
        self,
        cases: CasesRepository,
        departments: DepartmentService,
        chats: ChatAddresses,
        cipher: Cipher,
        catalog: Catalog,
        i18n: I18n,
        outbox_ready: asyncio.Event,
    ) -> None:
        self._outbox_ready = outbox_ready
        self._cases = cases
        self._departments = departments
        self._chats = chats
        self._cipher = cipher
        self._catalog = catalog
        self._i18n = i18n

    async def for_chat(self, report_id: str, chat_id: int) -> CaseRow | None:
        """The case if this chat may act on it now: it serves the case's region, or it is the
        admins' chat that receives unrouted cases. None otherwise, or for an unknown id."""
        case = await self._cases.get(report_id)
        if case is None:
            return None
        if case.region in await self._departments.regions_of(chat_id):
            return case
        admin_keys = {address.key for address in self._departments.admin_addresses()}
        return case if self._chats.key(chat_id) in admin_keys else None

    async def accept(self, case: CaseRow, officer_id: int) -> bool:
        if case.status not in ("new", "delivered"):
            return False
        return await self._apply(case, officer_id, "accepted", status="accepted")

    async def close(self, case: CaseRow, officer_id: int, resolution: Resolution) -> bool:
        notices = self._reporter_notice(case, resolution)
        return await self._apply(
            case,
            officer_id,
            "closed",
            status="closed",
            resolution=resolution,
            detail=resolution,
            drop_contact=True,
            notices=notices,
        )

    async def move(self, case: CaseRow, officer_id: int, region: str) -> bool:
        if self._catalog.region(region) is None or region == case.region:
            return False
        return await self._apply(
            case,
            officer_id,
            "moved",
            status="new",
            region=region,
            detail=f"{case.region}>{region}",
            requeue=True,
        )

    async def _apply(
        self,
        case: CaseRow,
        officer_id: int,
        action: str,
        *,
        notices: list[NewItem] | None = None,
        **change: object,
    ) -> bool:
        applied = await self._cases.apply(
            Change(
                report_id=case.id,
                actor=self._chats.actor(officer_id),
                action=action,
                at=utc_now().isoformat(),
                **change,  # type: ignore[arg-type]
            ),
            notices or [],
            time.time(),
        )
        if applied and notices:
            self._outbox_ready.set()
        return applied

    def _reporter_notice(self, case: CaseRow, resolution: Resolution) -> list[NewItem]:
        """Tell an opted-in reporter their case is closed, in their language, nothing more."""
        if case.contact is None:
            return []
        chat_id = int(self._cipher.open_text(case.contact, f"reports:{case.id}:contact"))
        address = self._chats.address(chat_id)
        with self._i18n.context(), self._i18n.use_locale(case.locale):
            text = _(
                "Your report № {number} has been closed. Result: {resolution}. Send /status with "
                "your receipt code to see its history."
            ).format(number=case.case_no, resolution=resolution_labels()[resolution])
        payload = json.dumps({"text": text}).encode()
        return [
            NewItem(
                "notice",
                address.key,
                address.ref,
                payload=self._cipher.seal(payload, payload_aad("notice", address.key, None)),
            )
        ]
