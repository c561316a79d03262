"""/open: a department chat's open cases by deadline, and a case's card brought back on request.

The card goes out through the outbox, as a digest's card does, so it is rendered by the same code
(``bot.cases.delivery``), with the keyboard the case has now, in the chat's language; it becomes the
card the reporter's later messages reply to in that chat.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Collection
from datetime import UTC, datetime

from bot.core.deadlines import Deadlines
from bot.outbox.items import payload_aad
from bot.security.addresses import ChatAddresses
from bot.security.crypto import Cipher
from storage.cases import CaseRow, CasesRepository
from storage.outbox import NewItem, OutboxRepository

FAR = datetime.max.replace(tzinfo=UTC)


class OpenCases:
    def __init__(
        self,
        *,
        cases: CasesRepository,
        outbox: OutboxRepository,
        chats: ChatAddresses,
        cipher: Cipher,
        deadlines: Deadlines,
        outbox_ready: asyncio.Event,
    ) -> None:
        self._cases = cases
        self._outbox = outbox
        self._chats = chats
        self._cipher = cipher
        self._deadlines = deadlines
        self._outbox_ready = outbox_ready

    @property
    def deadlines(self) -> Deadlines:
        return self._deadlines

    async def case(self, report_id: str) -> CaseRow | None:
        return await self._cases.get(report_id)

    async def listed(self, regions: Collection[str] | None) -> list[CaseRow]:
        """The open cases of ``regions`` (None: all) whose cards went out, the nearest deadline
        first: the overdue ones lead."""
        cases = await self._cases.released(regions)
        return sorted(cases, key=lambda case: (self._deadline(case), case.case_no))

    async def bring_back(self, case: CaseRow, chat_id: int, *, with_buttons: bool) -> None:
        """Send the case's card into the chat again."""
        address = self._chats.address(chat_id)
        payload = json.dumps({"unrouted": False, "read_only": not with_buttons}).encode()
        item = NewItem(
            "report",
            address.key,
            address.ref,
            report_id=case.id,
            payload=self._cipher.seal(payload, payload_aad("report", address.key, case.id)),
        )
        await self._outbox.enqueue([item], time.time())
        self._outbox_ready.set()

    def _deadline(self, case: CaseRow) -> datetime:
        return self._deadlines.of(case) or FAR
