"""Every request through one gate: security headers, the session, CSRF, the viewer's language.

The page is a Telegram Mini App: Telegram's web clients show it in a frame, so framing is
allowed to Telegram's web origin only (CSP ``frame-ancestors``; browsers that know it ignore
``X-Frame-Options``, which cannot name another origin). Scripts come from this server and from
Telegram's ``telegram-web-app.js``, nothing inline. The session is a bearer token the page holds
in memory: no cookie is sent by the browser on its own, and every change must also carry the
session's CSRF value in a header.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.settings import SUPPORTED_LOCALES
from bot.workspace.access import Viewer
from web.deps import DEPS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TELEGRAM_WEB = "https://web.telegram.org"
CSRF_HEADER = "X-CSRF-Token"
VIEWER = web.RequestKey("viewer", Viewer)
LOCALE = web.RequestKey("locale", str)
#: Routes (by name) a request may reach without a session.
OPEN_ROUTES = frozenset({"login", "welcome"})


def content_security_policy(script_url: str) -> str:
    script = urlsplit(script_url)
    telegram = f"{script.scheme}://{script.netloc}"
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' {telegram}",
            "style-src 'self'",
            "img-src 'self' blob: data:",
            "media-src blob:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors 'self' {TELEGRAM_WEB}",
        )
    )


def refusal(status: int, error: str, **details: Any) -> web.Response:
    return web.json_response({"error": error, **details}, status=status)


def not_found() -> web.Response:
    """What a case or department outside the viewer's regions, or one that does not exist, is
    answered: the same, so the answer says nothing about what exists."""
    return refusal(404, "not_found")


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = refusal(exc.status, "not_found" if exc.status == 404 else "refused")
    deps = request.app[DEPS]
    response.headers["Content-Security-Policy"] = content_security_policy(
        deps.settings.webapp_script_url
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Strict-Transport-Security"] = "max-age=31536000"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@web.middleware
async def session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """API requests: a live session of a person the roster still has, and for a change, its
    CSRF value; the handler runs in the viewer's language."""
    if request.match_info.route.name in OPEN_ROUTES:
        return await handler(request)
    deps = request.app[DEPS]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    viewer = await deps.access.viewer(token) if scheme == "Bearer" else None
    if viewer is None:
        return refusal(401, "unauthorized")
    if request.method not in ("GET", "HEAD") and not viewer.session.csrf_matches(
        request.headers.get(CSRF_HEADER, "")
    ):
        return refusal(403, "csrf")
    locale = await viewer_locale(request, viewer)
    request[VIEWER] = viewer
    request[LOCALE] = locale
    with deps.i18n.context(), deps.i18n.use_locale(locale):
        return await handler(request)


async def viewer_locale(request: web.Request, viewer: Viewer) -> str:
    """The language the person chose in the bot, else their Telegram's, else the default."""
    deps = request.app[DEPS]
    saved = await deps.prefs.get_locale(deps.pseudonyms.digest("user", viewer.user_id))
    if saved in SUPPORTED_LOCALES:
        return saved
    code = (viewer.session.telegram_language or "").split("-")[0].lower()
    return code if code in SUPPORTED_LOCALES else deps.settings.default_locale


async def read_limited(request: web.Request, limit: int) -> bytes | None:
    """The whole body, or None once it passes ``limit`` bytes (declared or streamed): never
    more than that is read."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def json_body(request: web.Request, limit: int = 16 * 1024) -> dict[str, Any] | None:
    """The request's JSON object, or None: not JSON, not an object, or over ``limit`` bytes."""
    if request.content_type != "application/json":
        return None
    raw = await read_limited(request, limit)
    if raw is None:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
