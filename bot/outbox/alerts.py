"""Alerts to the admins (``FALLBACK_CHAT_ID``, or each of ``ADMIN_IDS`` in private), through the
outbox, in the default language."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from aiogram.utils.i18n import I18n

from bot.outbox.items import text_item
from bot.security.addresses import ChatAddress
from bot.security.crypto import Cipher
from storage.outbox import OutboxRepository


class AdminAlerts:
    def __init__(
        self,
        *,
        cipher: Cipher,
        outbox: OutboxRepository,
        admin_addresses: Callable[[], list[ChatAddress]],
        i18n: I18n,
        wake: asyncio.Event,
    ) -> None:
        self._cipher = cipher
        self._outbox = outbox
        self._admin_addresses = admin_addresses
        self._i18n = i18n
        self._wake = wake

    async def send(self, render: Callable[[], str]) -> None:
        """``render`` makes the text, called in the admins' language."""
        with self._i18n.context(), self._i18n.use_locale(self._i18n.default_locale):
            text = render()
        items = [
            text_item(self._cipher, "alert", admin.key, admin.ref, text)
            for admin in self._admin_addresses()
        ]
        if items:
            await self._outbox.enqueue(items, time.time())
            self._wake.set()
