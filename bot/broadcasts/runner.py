"""Sending broadcasts in the background: paced, resumable, never twice to one subscriber.

The main loop takes subscribers in id order, a page at a time, writes the recipient as ``sending``
and hands it to a worker, then waits until that worker's paced request has started; so at most
one written recipient is not yet on its way, and a restart continues after the highest written
id. Pacing sits right before each request, so nothing between them can bunch requests up. A 429
pauses every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import tzinfo

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiohttp import ClientError

from bot.broadcasts import views as broadcast_views
from bot.broadcasts.content import Content, send_version
from bot.broadcasts.service import BroadcastService
from bot.broadcasts.subscribers import SubscriberService, today
from bot.core.catalog import Catalog
from bot.ui.context import ViewContext
from storage.broadcasts import BroadcastRow, BroadcastsRepository, BroadcastStatus, RecipientStatus
from storage.subscribers import Audience, Subscriber, SubscribersRepository, SubscriberStatus

logger = logging.getLogger(__name__)

CONCURRENCY = 8
"""Requests in flight at once: enough for the configured rate over a slow link."""
PAGE = 200
PROGRESS_SECONDS = 3.0
"""Telegram allows about one edit a second in a chat; every three seconds is well below."""
MIN_EDIT_GAP = 1.0
"""Even the edits that must show (paused, finished) wait this long after the previous one."""
IDLE_WAIT = 10.0
"""How often the runner looks for a due broadcast unwoken: one created on another replica."""
FOLLOWER_WAIT = 10.0
"""How often a replica that does not send broadcasts asks whether it now should."""
NETWORK_ATTEMPTS = 4
NETWORK_BACKOFF = 2.0
"""Seconds before the first retry after a 5xx or network error; doubled each time."""
MAX_WAITS = 20
GONE = ("chat not found", "user is deactivated", "bot was blocked", "peer_id_invalid")


class Pacer:
    """Spaces requests ``1 / rate`` apart, and holds all of them while Telegram asks to wait.

    A slot is granted only when it is taken, never reserved ahead: requests that overslept
    together (a busy machine, a paused process) then leave one by one, ``1 / rate`` apart,
    instead of all at once over Telegram's limit.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def slot(self) -> None:
        while True:
            now = self._clock()
            at = max(self._next, self._paused_until)
            if at <= now:
                self._next = now + self._interval
                return
            await self._sleep(at - now)


class BroadcastRunner:
    def __init__(
        self,
        *,
        bot: Bot,
        service: BroadcastService,
        broadcasts: BroadcastsRepository,
        subscribers: SubscribersRepository,
        addresses: SubscriberService,
        catalog: Catalog,
        i18n: I18n,
        zone: tzinfo,
        rate: float,
        wake: asyncio.Event,
        leads: Callable[[], Awaitable[bool]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bot = bot
        self._service = service
        self._broadcasts = broadcasts
        self._subscribers = subscribers
        self._addresses = addresses
        self._catalog = catalog
        self._i18n = i18n
        self._zone = zone
        self._rate = rate
        self._wake = wake
        self._leads = leads
        self._leading = False
        self._clock = clock
        self._pacer = Pacer(rate)
        self._last_progress = 0.0

    async def recover(self) -> None:
        """Requests a dead process left in flight may have arrived: they are never resent."""
        unconfirmed = await self._broadcasts.mark_unconfirmed()
        if unconfirmed:
            logger.warning("%d broadcast messages were in flight at the last stop", unconfirmed)

    async def _lead(self) -> bool:
        """Whether this replica sends broadcasts now: one replica at a time does (the one that
        runs the scheduled jobs); taking over, it first settles what the last one left."""
        leading = await self._leads()
        if leading and not self._leading:
            await self.recover()
        self._leading = leading
        return leading

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                delay = await self.process_due(stop) if await self._lead() else FOLLOWER_WAIT
            except Exception:  # a database hiccup must not end broadcasting for good
                logger.exception("Broadcast round failed; retrying")
                delay = 5.0
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()

    async def process_due(self, stop: asyncio.Event) -> float:
        """Send the broadcast that is due, if any; returns how long to wait before looking again."""
        row = await self._broadcasts.next_due(self._clock())
        if row is None:
            upcoming = await self._broadcasts.next_scheduled_time()
            if upcoming is None:
                return IDLE_WAIT
            return min(IDLE_WAIT, max(0.0, upcoming - self._clock()))
        await self.send(row, stop)
        return 0.0

    async def send(self, row: BroadcastRow, stop: asyncio.Event) -> None:
        audience = Audience.unpack(row.audience)
        content = self._service.content(row)
        total = row.total or await self._subscribers.count(audience)
        await self._broadcasts.start(row.id, total, self._clock())
        if row.progress_message_id is None:
            await self._show_progress(row.id, force=True)
        else:
            self._last_progress = self._clock()
        slots = asyncio.Semaphore(CONCURRENCY)
        workers: set[asyncio.Task[None]] = set()
        interrupted = False
        async for subscriber in self._recipients(row.id, audience):
            if stop.is_set() or await self._interrupted(row.id) or not await self._lead():
                interrupted = True
                break
            await slots.acquire()
            await self._broadcasts.mark(row.id, subscriber.id, RecipientStatus.SENDING)
            started = asyncio.Event()
            worker = asyncio.create_task(self._deliver(row.id, subscriber, content, slots, started))
            workers.add(worker)
            worker.add_done_callback(workers.discard)
            await started.wait()
            await self._show_progress(row.id)
        if workers:
            await asyncio.gather(*workers)
        if not interrupted and await self._broadcasts.finish(row.id, self._clock()):
            logger.info("Broadcast %d finished", row.id)
        await self._show_progress(row.id, force=True)

    async def _recipients(self, broadcast_id: int, audience: Audience) -> AsyncIterator[Subscriber]:
        """Those a 429 left pending at a stop first, then the audience after the cursor."""
        for subscriber in await self._subscribers.by_ids(
            await self._broadcasts.pending(broadcast_id)
        ):
            if subscriber.status is SubscriberStatus.ACTIVE:
                yield subscriber
        cursor = await self._broadcasts.cursor(broadcast_id)
        while page := await self._subscribers.page(audience, cursor, PAGE):
            for subscriber in page:
                yield subscriber
            cursor = page[-1].id

    async def _interrupted(self, broadcast_id: int) -> bool:
        """An admin's pause or cancel (they wake the runner) ends this pass."""
        if not self._wake.is_set():
            return False
        self._wake.clear()
        row = await self._broadcasts.get(broadcast_id)
        return row is None or row.status is not BroadcastStatus.SENDING

    async def _deliver(
        self,
        broadcast_id: int,
        subscriber: Subscriber,
        content: Content,
        slots: asyncio.Semaphore,
        started: asyncio.Event,
    ) -> None:
        try:
            status = await self._attempt(broadcast_id, subscriber, content, started)
        except Exception:
            logger.exception("Broadcast %d: a delivery failed unexpectedly", broadcast_id)
            status = RecipientStatus.FAILED
        finally:
            started.set()
            slots.release()
        if status is RecipientStatus.BLOCKED:
            await self._broadcasts.settle_blocked(broadcast_id, subscriber.id, today())
        else:
            await self._broadcasts.mark(broadcast_id, subscriber.id, status)

    async def _attempt(
        self, broadcast_id: int, subscriber: Subscriber, content: Content, started: asyncio.Event
    ) -> RecipientStatus:
        chat_id = self._addresses.chat_id(subscriber)
        version = content.for_locale(subscriber.locale)
        waits = failures = 0
        while True:
            await self._pacer.slot()
            started.set()
            try:
                await send_version(self._bot, chat_id, version)
            except TelegramRetryAfter as exc:
                self._pacer.pause(exc.retry_after)
                waits += 1
                if waits > MAX_WAITS:
                    return RecipientStatus.FAILED
                await self._broadcasts.mark(broadcast_id, subscriber.id, RecipientStatus.PENDING)
                await self._pacer.slot()
                await self._broadcasts.mark(broadcast_id, subscriber.id, RecipientStatus.SENDING)
            except TelegramForbiddenError:
                return RecipientStatus.BLOCKED
            except TelegramBadRequest as exc:
                if any(reason in exc.message.lower() for reason in GONE):
                    return RecipientStatus.BLOCKED
                logger.warning("Broadcast %d: Telegram refused a message", broadcast_id)
                return RecipientStatus.FAILED
            except (TelegramServerError, TelegramNetworkError, ClientError, TimeoutError) as exc:
                failures += 1
                if failures >= NETWORK_ATTEMPTS:
                    logger.warning("Broadcast %d: giving up (%s)", broadcast_id, type(exc).__name__)
                    return RecipientStatus.FAILED
                await asyncio.sleep(NETWORK_BACKOFF * 2 ** (failures - 1))
            else:
                return RecipientStatus.SENT

    async def _show_progress(self, broadcast_id: int, *, force: bool = False) -> None:
        """Edit the admin's progress message; a failure here never stops the broadcast."""
        since = self._clock() - self._last_progress
        if not force and since < PROGRESS_SECONDS:
            return
        if since < MIN_EDIT_GAP:
            await asyncio.sleep(MIN_EDIT_GAP - since)
        self._last_progress = self._clock()
        row = await self._broadcasts.get(broadcast_id)
        if row is None:
            return
        tally = await self._service.tally(row)
        ctx = ViewContext(self._catalog, row.admin_locale, self._zone)
        with self._i18n.context(), self._i18n.use_locale(row.admin_locale):
            text = broadcast_views.progress(row, tally, self._rate, ctx)
            markup = broadcast_views.control_keyboard(row)
        try:
            await self._edit_or_send(row, text, markup)
        except (TelegramAPIError, ClientError, TimeoutError) as exc:
            logger.warning("Broadcast %d: progress not shown (%s)", row.id, type(exc).__name__)

    async def _edit_or_send(
        self, row: BroadcastRow, text: str, markup: InlineKeyboardMarkup | None
    ) -> None:
        """A scheduled broadcast, or a progress message deleted meanwhile, gets a new one."""
        chat_id = self._service.admin_chat(row)
        if row.progress_message_id is not None:
            try:
                await self._bot.edit_message_text(
                    text=text,
                    chat_id=chat_id,
                    message_id=row.progress_message_id,
                    reply_markup=markup,
                )
            except TelegramBadRequest as exc:
                if "not modified" in exc.message:
                    return
            else:
                return
        sent = await self._bot.send_message(chat_id, text, reply_markup=markup)
        await self._broadcasts.set_progress_message(row.id, sent.message_id)
