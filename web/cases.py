"""(filled by the workspace's cases work)"""

from __future__ import annotations

from aiohttp import web


def add_routes(router: web.UrlDispatcher) -> None:
    """No routes yet."""
