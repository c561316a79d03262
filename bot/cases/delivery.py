"""Sending what the outbox holds, at Telegram's pace, surviving its errors and our crashes.

An item is marked in flight before its request and sent only once Telegram returns a message id,
so a crash between the two leaves it in flight: the next attempt is labelled a possible repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import tzinfo
from enum import Enum
from html import escape
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message, ReplyParameters
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiohttp import ClientError

from bot.cases.card import CaseCards
from bot.cases.evidence import open_file
from bot.cases.views import Relayed, attachment_caption, file_heading, file_note
from bot.core.catalog import Catalog
from bot.core.clock import utc_now
from bot.core.values import CaseStatus
from bot.outbox.items import DIGEST_HEADER, REPORTER_KINDS, payload_aad, text_item
from bot.reports.evidence import FileKind
from bot.security.addresses import ChatAddress, ChatAddresses
from bot.security.crypto import Cipher, DecryptionError
from bot.telegram.metrics import Metrics
from storage.attachments import AttachmentsRepository
from storage.cases import CasesRepository
from storage.departments import DepartmentsRepository
from storage.outbox import OutboxItem, OutboxRepository

logger = logging.getLogger(__name__)

MAX_BACKOFF = 600.0
UNREACHABLE_RETRY = 3600.0
IDLE_WAIT = 30.0
# Longer than a single send (a 20 MB upload included), so a live sender keeps its claim.
LEASE_SECONDS = 120.0


class Outcome(Enum):
    DONE = "done"
    HELD = "held"
    MOVED = "moved"
    """The chat has a new id: the items fetched for this pass still carry the old one."""


class Undeliverable(Exception):
    """The item refers to something that no longer exists; it is dropped, not retried."""


class OutboxSender:
    def __init__(
        self,
        *,
        bot: Bot,
        outbox: OutboxRepository,
        cases: CasesRepository,
        attachments: AttachmentsRepository,
        departments: DepartmentsRepository,
        chats: ChatAddresses,
        cipher: Cipher,
        i18n: I18n,
        admin_addresses: Callable[[], list[ChatAddress]],
        catalog: Catalog,
        cards: CaseCards,
        interval: float,
        zone: tzinfo,
        wake: asyncio.Event,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bot = bot
        self._outbox = outbox
        self._cases = cases
        self._attachments = attachments
        self._departments = departments
        self._chats = chats
        self._cipher = cipher
        self._i18n = i18n
        self._admin_addresses = admin_addresses
        self._catalog = catalog
        self._cards = cards
        self._interval = interval
        self._zone = zone
        self._clock = clock
        self._last_sent: dict[bytes, float] = {}
        self._alerted: dict[bytes, float] = {}
        self._wake = wake
        self._metrics = metrics

    async def recover(self) -> None:
        """Reclaim what a crashed process had in flight; it goes again, labelled as a repeat."""
        released = await self._outbox.release_claims()
        if released:
            logger.warning("%d deliveries were in flight at the last stop; resending", released)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; sleeps until the next item is due or it is woken."""
        while not stop.is_set():
            try:
                delay = await self.process_due()
            except Exception:  # a database hiccup must not end deliveries for good
                logger.exception("Delivery round failed; retrying")
                delay = 5.0
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def drain(self, within: float, *, owed_now: bool = False) -> int:
        """Deliver until nothing is due within ``within`` seconds; returns the items pending.
        With ``owed_now``, items scheduled for later and never tried (a reporter's answer waiting
        its random delay) are neither waited for nor counted: the running bot sends them."""
        start = self._clock()
        owed_by = start if owed_now else None
        deadline = start + within
        while self._clock() < deadline:
            delay = await self.process_due()
            next_due = await self._outbox.next_due_time(owed_by=owed_by)
            if next_due is None or next_due > deadline:
                break
            await asyncio.sleep(min(delay, max(0.0, deadline - self._clock())))
        return await self._outbox.pending(owed_by)

    async def process_due(self) -> float:
        """One pass over the due items; returns how long to wait before the next pass.

        Chats still within ``interval`` of their last message rest: their items are left out of
        the query, or one chat's backlog would fill every pass while the others wait, and the
        pass would come round again at once (bench/RESULTS.md).
        """
        now = self._clock()
        resting = {
            chat: sent + self._interval
            for chat, sent in self._last_sent.items()
            if sent + self._interval > now
        }
        waits = [ready - now for ready in resting.values()]
        held: set[bytes] = set()
        for item in await self._outbox.due(now, skip=resting):
            if item.chat_key in held:
                continue
            ready_at = self._last_sent.get(item.chat_key, 0.0) + self._interval
            if ready_at > self._clock():
                waits.append(ready_at - self._clock())
                continue
            outcome = await self._deliver(item)
            if outcome is Outcome.HELD:
                held.add(item.chat_key)
            elif outcome is Outcome.MOVED:
                return 0.0
            elif outcome is not Outcome.DONE:
                return outcome
        next_due = await self._outbox.next_due_time(skip=resting)
        if next_due is not None:
            waits.append(max(0.0, next_due - self._clock()))
        return min(waits, default=IDLE_WAIT)

    async def _deliver(self, item: OutboxItem) -> Outcome | float:
        """Send one item; a number is the pause Telegram asked for (429)."""
        repeat = item.in_flight
        to_reporter = item.kind in REPORTER_KINDS
        if not await self._outbox.claim(item.id, self._clock(), LEASE_SECONDS):
            return Outcome.DONE
        try:
            chat_id = self._chats.chat_id(item.chat_key, item.chat_ref)
            message_id = await self._send(item, chat_id, repeat=repeat)
        except TelegramRetryAfter as exc:
            await self._outbox.retry(item.id, self._clock() + exc.retry_after)
            logger.warning("Telegram asked to wait %s s", exc.retry_after)
            return float(exc.retry_after)
        except TelegramMigrateToChat as exc:
            await self._migrate(item, exc.migrate_to_chat_id)
            return Outcome.MOVED
        except (TelegramForbiddenError, TelegramBadRequest, TelegramNotFound) as exc:
            if to_reporter:  # they blocked the bot or left: /status still shows what was owed
                await self._outbox.drop(item.id, forget=True)
                return Outcome.DONE
            await self._unreachable(item, type(exc).__name__)
            return Outcome.HELD
        except (TelegramServerError, TelegramNetworkError, ClientError, TimeoutError) as exc:
            backoff = min(MAX_BACKOFF, 2.0 ** min(item.attempts + 1, 10))
            logger.warning("Delivery failed (%s); retry in %.0f s", type(exc).__name__, backoff)
            await self._outbox.retry(item.id, self._clock() + backoff)
        except (Undeliverable, DecryptionError) as exc:
            logger.warning("Dropping outbox item %d: %s", item.id, type(exc).__name__)
            await self._outbox.drop(item.id, forget=to_reporter)
        else:
            if not to_reporter:  # a reporter's address is used once: nothing to pace
                self._last_sent[item.chat_key] = self._clock()
            await self._outbox.sent(
                item, message_id, self._clock(), utc_now().isoformat(), forget=to_reporter
            )
            if item.kind == Relayed.ANSWER.value:
                await self._stamp_answer(item)
            elif item.kind == DIGEST_HEADER:
                self._metrics.digests_sent.inc()
        return Outcome.DONE

    async def _stamp_answer(self, item: OutboxItem) -> None:
        """The reporter's answer reached a chat: its card there says so, from now."""
        case = await self._cases.get(item.report_id or "")
        if case is not None:
            await self._cards.refresh(self._bot, case.id, case.region, only=item.chat_key)

    async def _send(self, item: OutboxItem, chat_id: int, *, repeat: bool) -> int:
        if item.kind == "report":
            return await self._send_case(item, chat_id, repeat=repeat)
        if item.kind == "attachment":
            return await self._send_attachment(item, chat_id)
        data = self._payload(item)
        reply = (
            ReplyParameters(message_id=item.parent_message_id, allow_sending_without_reply=True)
            if item.parent_message_id
            else None
        )
        markup = data.get("markup")
        # A reporter chose at consent; one who could not (older items) is not made to ring.
        silent = data.get("silent", item.kind in REPORTER_KINDS)
        sent = await self._bot.send_message(
            chat_id,
            data["text"],
            reply_parameters=reply,
            reply_markup=InlineKeyboardMarkup.model_validate(markup) if markup else None,
            disable_notification=True if silent else None,
        )
        return sent.message_id

    async def _send_case(self, item: OutboxItem, chat_id: int, *, repeat: bool) -> int:
        case = await self._cases.get(item.report_id or "")
        if case is None or case.status == CaseStatus.CLOSED:
            raise Undeliverable
        data = self._payload(item)
        card = await self._cards.render(
            case,
            item.chat_key,
            case.region,
            unrouted=bool(data.get("unrouted")),
            repeat=repeat,
            read_only=bool(data.get("read_only")),
        )
        parts = card.parts
        first = await self._bot.send_message(chat_id, parts[0], reply_markup=card.markup)
        for part in parts[1:]:
            await self._bot.send_message(
                chat_id, part, reply_parameters=ReplyParameters(message_id=first.message_id)
            )
        return first.message_id

    async def _send_attachment(self, item: OutboxItem, chat_id: int) -> int:
        row = await self._attachments.get(item.attachment_id or "")
        if row is None:
            raise Undeliverable
        case = await self._cases.get(item.report_id or "")
        if case is None:
            raise Undeliverable
        ordinal, total = await self._attachments.place(row.id)
        file, data = open_file(self._cipher, row, case.case_no, ordinal)
        upload = BufferedInputFile(data, filename=file.name)
        reply = ReplyParameters(
            message_id=item.parent_message_id or 0, allow_sending_without_reply=True
        )
        locale = await self._locale(item.chat_key, case.region)
        with self._i18n.context(), self._i18n.use_locale(locale):
            heading = file_heading(case.case_no, ordinal, total)
            note = file_note(file.kind, file.cleaned, file.masked, file.voice_kept)
        caption = attachment_caption(file.caption, heading, note)
        senders: dict[FileKind, Callable[..., Awaitable[Message]]] = {
            FileKind.PHOTO: self._bot.send_photo,
            FileKind.VIDEO: self._bot.send_video,
            FileKind.VOICE: self._bot.send_voice,
            FileKind.AUDIO: self._bot.send_audio,
        }
        sender = senders.get(file.kind, self._bot.send_document)
        sent = await sender(
            chat_id, upload, caption=caption, reply_parameters=reply, parse_mode=None
        )
        return sent.message_id

    async def _migrate(self, item: OutboxItem, new_chat_id: int) -> None:
        """A group became a supergroup: follow it, and send again at once."""
        address = self._chats.address(new_chat_id)
        payloads = {}
        for pending in await self._outbox.pending_for(item.chat_key):
            if pending.payload is not None:
                plain = self._cipher.open(
                    pending.payload, payload_aad(pending.kind, item.chat_key, pending.report_id)
                )
                payloads[pending.id] = self._cipher.seal(
                    plain, payload_aad(pending.kind, address.key, pending.report_id)
                )
        await self._departments.move_chat(item.chat_key, address.key, address.ref)
        await self._outbox.move_chat(item.chat_key, address.key, address.ref, payloads)
        await self._outbox.retry(item.id, self._clock())

    async def _unreachable(self, item: OutboxItem, reason: str) -> None:
        """Keep the chat's items (and cases) pending, and tell the admins once per hour."""
        now = self._clock()
        await self._outbox.retry(item.id, now + UNREACHABLE_RETRY)
        await self._outbox.postpone_chat(item.chat_key, now + UNREACHABLE_RETRY)
        await self._departments.refused(item.chat_key, utc_now().isoformat())
        if self._alerted.get(item.chat_key, 0.0) > now - UNREACHABLE_RETRY:
            return
        self._alerted[item.chat_key] = now
        logger.warning("A chat refused a delivery (%s); admins alerted", reason)
        admins = [a for a in self._admin_addresses() if a.key != item.chat_key]
        regions = await self._departments.regions_of(item.chat_key)
        locale = self._i18n.default_locale
        names = sorted(
            entry.name(locale) if (entry := self._catalog.region(code)) else code
            for code in regions
        )
        with self._i18n.context(), self._i18n.use_locale(locale):
            text = _(
                "⚠️ A department chat does not accept messages from the bot ({reason}). Regions: "
                "{regions}. Its cases stay pending; add the bot back or link another chat with "
                "/invite."
            ).format(reason=reason, regions=escape(", ".join(names)) or "—")
        items = [text_item(self._cipher, "alert", admin.key, admin.ref, text) for admin in admins]
        if items:
            await self._outbox.enqueue(items, self._clock())

    async def _locale(self, chat_key: bytes, region: str | None) -> str:
        return await self._departments.reading_locale(chat_key, region, self._i18n.default_locale)

    def _payload(self, item: OutboxItem) -> dict[str, Any]:
        if item.payload is None:
            return {}
        payload: dict[str, Any] = json.loads(
            self._cipher.open(item.payload, payload_aad(item.kind, item.chat_key, item.report_id))
        )
        return payload
