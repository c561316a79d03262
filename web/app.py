"""The workspace as an aiohttp application, mounted by the composition root under ``/app/``.

``/app/`` is the page (a shell, its stylesheet and modules); ``/app/api/`` the JSON API, every
route of which but the login needs a session (``web.security``).
"""

from __future__ import annotations

import hashlib
from html import escape
from importlib.resources import files

from aiohttp import web

from web import admin, board, cases, deadlines, session
from web.deps import DEPS, WorkspaceDeps
from web.security import headers
from web.security import session as session_gate

STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
PREFIX = "/app"


def create_workspace(deps: WorkspaceDeps) -> web.Application:
    app = web.Application(middlewares=[headers])
    app[DEPS] = deps
    shell = _shell(deps.settings.webapp_script_url)
    assets = _assets()

    async def page(request: web.Request) -> web.Response:
        return web.Response(body=shell, content_type="text/html", charset="utf-8")

    async def asset(request: web.Request) -> web.Response:
        found = assets.get(request.match_info["name"])
        if found is None:
            raise web.HTTPNotFound
        body, content_type, etag = found
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag, "Cache-Control": "no-cache"})
        return web.Response(
            body=body,
            content_type=content_type,
            charset="utf-8",
            headers={"ETag": etag, "Cache-Control": "no-cache"},
        )

    app.router.add_get("/", page)
    app.router.add_get("/static/{name}", asset)
    api = web.Application(middlewares=[session_gate])
    api[DEPS] = deps
    for module in (session, board, cases, deadlines, admin):
        module.add_routes(api.router)
    app.add_subapp("/api/", api)
    return app


def mount(parent: web.Application, deps: WorkspaceDeps) -> None:
    parent.add_subapp(f"{PREFIX}/", create_workspace(deps))


def _shell(script_url: str) -> bytes:
    html = (files("web") / "static" / "index.html").read_text(encoding="utf-8")
    return html.replace("{{TELEGRAM_SCRIPT}}", escape(script_url)).encode()


def _assets() -> dict[str, tuple[bytes, str, str]]:
    """Every asset by name, read once: nothing but these files is served."""
    found = {}
    for entry in (files("web") / "static").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if suffix in STATIC_TYPES:
            body = entry.read_bytes()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            found[entry.name] = (body, STATIC_TYPES[suffix], etag)
    return found
