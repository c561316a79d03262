"""Start and stop, in one place, for every entry: ``python -m bot`` (long polling, or a webhook
with ``BOT_MODE=webhook``), ``python -m bot digest``, and the live tests.

A ``Runtime`` is entered with the services, the bot and the outbox sender; ``serve()`` readies it
for updates and starts the background work. Leaving it stops what was started, in this order: the
updates already taken finish, the scheduler stops, the outbox sender and broadcast runner stop
and the scheduler's lease is given up, the database and Redis close, the bot's session closes.
An entry only feeds the dispatcher updates: long polling (``run_polling``) or a webhook
(``run_webhook``, whose web server stops taking requests before the updates in flight are waited
for). The live tests serve the same runtime, without its unattended part: they deliver and move
time themselves.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Coroutine
from contextlib import AbstractAsyncContextManager, AsyncExitStack, nullcontext
from types import TracebackType
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiohttp import ClientError

from bot.app.dispatcher import create_bot, create_dispatcher, publish_profile
from bot.app.scheduler import create_scheduler, log_jobs
from bot.app.services import Services, build_services, create_broadcast_runner, create_sender
from bot.app.startup import wait_for_telegram
from bot.app.webhook import create_web_app, listening, serving
from bot.app.workspace import workspace_deps
from bot.cases.delivery import OutboxSender
from bot.ops.digest import send_digests
from bot.settings import ConfigError, Settings
from bot.telegram.middlewares import InFlightUpdates
from storage.migrations import schema_is_current

logger = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 10


class Runtime:
    services: Services
    bot: Bot
    sender: OutboxSender

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._exit = AsyncExitStack()
        self._stop = asyncio.Event()
        self._background: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Runtime:
        async with AsyncExitStack() as opened:  # a failed start closes what it opened
            self.bot = create_bot(self.settings)
            opened.push_async_callback(self.bot.session.close)
            self.services = await build_services(self.settings)
            opened.push_async_callback(self.services.close)
            self.sender = create_sender(self.bot, self.services)
            if self.services.database.dialect == "sqlite":
                # One process owns an SQLite file; on a shared database a claim may be another
                # replica's, still sending: a dead replica's claims lapse after their lease.
                await self.sender.recover()
            self._exit = opened.pop_all()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._exit.aclose()

    async def serve(self, *, unattended: bool = True) -> Dispatcher:
        """The dispatcher, ready for updates: Telegram reached, the profile published, the
        broadcast runner running. ``unattended``, as the bot runs: expired drafts purged, the
        scheduler and the outbox sender running, start-up's objects frozen; the live tests leave
        that out, to deliver and move time themselves."""
        dispatcher = create_dispatcher(self.services)
        self._exit.push_async_callback(self._stop_background)
        await wait_for_telegram(self.bot, self.settings)
        await self._publish_profile()
        self._run(self.services.shared.leadership.run(self._stop))
        if unattended:
            await self._start_unattended()
        self._run(create_broadcast_runner(self.bot, self.services).run(self._stop))
        self._exit.push_async_callback(finish_updates, dispatcher)
        if unattended:
            freeze_startup_objects()
            logger.info("Adal is running")
        return dispatcher

    async def _start_unattended(self) -> None:
        """Housekeeping once at start, then the scheduler and the outbox sender."""
        await self.services.maintenance.purge_expired()
        await self.services.maintenance.forget_file_names()
        await self.services.maintenance.mask_stored_recordings()
        scheduler = create_scheduler(self.services, self.bot)
        scheduler.start()
        self._exit.callback(scheduler.shutdown, wait=False)
        log_jobs(scheduler)
        self._run(self.sender.run(self._stop))

    async def _publish_profile(self) -> None:
        try:
            await publish_profile(self.bot, self.services)
        except TelegramUnauthorizedError:
            raise ConfigError("BOT_TOKEN is invalid: Telegram rejected it") from None
        except (TelegramAPIError, ClientError, TimeoutError) as exc:
            logger.warning("Could not publish the command menu yet (%s)", type(exc).__name__)

    async def ready(self) -> bool:
        """For ``/readyz``: the database answers and its schema is this code's; Redis answers,
        when the replicas share it."""
        return await schema_is_current(self.services.database) and (
            await self.services.shared.reachable()
        )

    def workspace_server(self, dispatcher: Dispatcher) -> AbstractAsyncContextManager[object]:
        """In polling mode, with ``WEBAPP_URL`` set: the workspace (and the probes) served on
        ``WEB_HOST:WEB_PORT``; otherwise nothing listens."""
        workspace = workspace_deps(self.services, self.bot)
        if workspace is None:
            return nullcontext()
        app = create_web_app(
            dispatcher,
            self.bot,
            path=None,
            secret="",
            ready=self.ready,
            metrics=self.services.metrics.render,
            workspace=workspace,
        )
        return serving(app, self.settings, grace=SHUTDOWN_GRACE_SECONDS)

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        self._background.append(asyncio.create_task(work))

    async def _stop_background(self) -> None:
        self._stop.set()
        self.services.outbox_ready.set()
        self.services.broadcasts_changed.set()
        await asyncio.gather(*self._background)


async def finish_updates(dispatcher: Dispatcher) -> None:
    """After polling stops: let the updates already taken finish before the database closes."""
    in_flight: InFlightUpdates = dispatcher["in_flight"]
    await in_flight.finish(within=SHUTDOWN_GRACE_SECONDS)


def freeze_startup_objects() -> None:
    """Exempt what start-up built from the garbage collector's full collections.

    aiogram's models leave some 200,000 long-lived objects; each full collection walked them all,
    a pause of about 180 ms that landed on whichever updates were waiting (bench/RESULTS.md).
    """
    gc.collect()
    gc.freeze()


async def run_polling(settings: Settings) -> None:
    async with Runtime(settings) as runtime:
        dispatcher = await runtime.serve()
        # Telegram refuses getUpdates while a webhook is set (a bot moved back from webhook
        # mode); the updates it holds stay and are fetched by the polling.
        await runtime.bot.delete_webhook(drop_pending_updates=False)
        async with runtime.workspace_server(dispatcher):
            await dispatcher.start_polling(
                runtime.bot,
                allowed_updates=dispatcher.resolve_used_update_types(),
                handle_signals=True,
                close_bot_session=False,
            )


async def run_webhook(settings: Settings) -> None:
    """``BOT_MODE=webhook``: the runtime behind the web server until SIGINT or SIGTERM."""
    async with Runtime(settings) as runtime:
        dispatcher = await runtime.serve()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with listening(
            dispatcher,
            runtime.bot,
            settings,
            ready=runtime.ready,
            grace=SHUTDOWN_GRACE_SECONDS,
            metrics=runtime.services.metrics.render,
            workspace=workspace_deps(runtime.services, runtime.bot),
        ):
            await stop.wait()
        logger.info("Stopping")


async def run_digest(settings: Settings) -> int:
    """``python -m bot digest``, on the runtime without updates or background work."""
    async with Runtime(settings) as runtime:
        return await send_digests(runtime.services.digests, runtime.sender)
