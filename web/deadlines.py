"""(filled by the workspace's deadlines work)"""

from __future__ import annotations

from aiohttp import web


def add_routes(router: web.UrlDispatcher) -> None:
    """No routes yet."""
