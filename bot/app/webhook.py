"""The aiohttp application of webhook mode: Telegram's updates in, probes for the load balancer.

Telegram redelivers an update until a request for it answers 200, so an update is answered only
after ``Dispatcher.feed_update`` returned: a replica killed mid-update leaves it to be delivered
again (aiogram's own handler answers first and handles in the background, which would lose it).
With ``WEBAPP_URL`` set, the same application serves the web workspace under ``/app/`` (in
polling mode too, without the webhook's route).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import Update
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import ValidationError

from bot.settings import ConfigError, Settings
from web.app import mount
from web.deps import WorkspaceDeps
from web.security import read_limited

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header's name)
#: Telegram's updates are a few kilobytes; anything near this is not from Telegram.
MAX_UPDATE_BYTES = 1024 * 1024

ReadyCheck = Callable[[], Awaitable[bool]]
MetricsText = Callable[[], Awaitable[bytes]]


def webhook_path(url: str) -> str:
    """The path Telegram posts to: the path of ``WEBHOOK_URL`` (a proxy forwards it as is)."""
    return urlsplit(url).path or "/"


def create_web_app(
    dispatcher: Dispatcher,
    bot: Bot,
    *,
    path: str | None,
    secret: str,
    ready: ReadyCheck,
    metrics: MetricsText | None = None,
    workspace: WorkspaceDeps | None = None,
) -> web.Application:
    """``POST path``: one update, checked against ``secret`` (no such route without a path, in
    polling mode); ``GET /healthz``: the process answers; ``GET /readyz``: ``ready()`` says the
    replica can take updates; ``GET /metrics``: Prometheus's text, when ``metrics`` renders it;
    ``/app/``: the workspace, with its ``workspace``."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=401)
        body = await read_limited(request, MAX_UPDATE_BYTES)
        if body is None:
            return web.Response(status=413)
        try:
            update = Update.model_validate(json.loads(body), context={"bot": bot})
        except (ValueError, ValidationError):  # JSONDecodeError is a ValueError
            return web.Response(status=400)
        await dispatcher.feed_update(bot, update)
        return web.Response(status=200)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(request: web.Request) -> web.Response:
        try:
            is_ready = await ready()
        except Exception:  # a probe answers; the reason goes to the log
            logger.exception("Readiness check failed")
            is_ready = False
        return web.Response(status=200 if is_ready else 503, text="ok" if is_ready else "not ready")

    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    if path is not None:
        app.router.add_post(path, receive)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if metrics is not None:
        render = metrics

        async def scrape(request: web.Request) -> web.Response:
            return web.Response(body=await render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

        app.router.add_get("/metrics", scrape)
    if workspace is not None:
        mount(app, workspace)
    return app


@asynccontextmanager
async def listening(
    dispatcher: Dispatcher,
    bot: Bot,
    settings: Settings,
    *,
    ready: ReadyCheck,
    grace: float,
    metrics: MetricsText | None = None,
    workspace: WorkspaceDeps | None = None,
) -> AsyncIterator[web.AppRunner]:
    """Listen on ``WEB_HOST:WEB_PORT``, then ask Telegram to post there; on leaving, stop
    taking requests and let those in flight finish (``grace`` seconds at most)."""
    url = settings.webhook_url
    secret = settings.webhook_secret
    if url is None or secret is None:
        raise ConfigError("BOT_MODE=webhook needs WEBHOOK_URL and WEBHOOK_SECRET")
    app = create_web_app(
        dispatcher,
        bot,
        path=webhook_path(url),
        secret=secret.get_secret_value(),
        ready=ready,
        metrics=metrics,
        workspace=workspace,
    )
    async with serving(app, settings, grace=grace) as runner:
        try:
            await bot.set_webhook(
                url,
                secret_token=secret.get_secret_value(),
                allowed_updates=dispatcher.resolve_used_update_types(),
                drop_pending_updates=False,
            )
        except TelegramBadRequest as exc:
            raise ConfigError(
                f"WEBHOOK_URL is invalid: Telegram refused it ({exc.message})"
            ) from None
        logger.info("Taking updates at %s:%d", settings.web_host, settings.web_port)
        yield runner


@asynccontextmanager
async def serving(
    app: web.Application, settings: Settings, *, grace: float
) -> AsyncIterator[web.AppRunner]:
    """``app`` on ``WEB_HOST:WEB_PORT`` until left; then requests in flight get ``grace``."""
    runner = web.AppRunner(app, shutdown_timeout=grace, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
        yield runner
    finally:
        await runner.cleanup()
