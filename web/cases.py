"""(filled by the workspace's cases work)"""

from __future__ import annotations

from aiohttp import web


def add_routes(router: web.UrlDispatcher) -> None:
    """No routes yet."""


def strings() -> dict[str, str]:
    """The page's words for this part, by key (``web.strings``)."""
    return {}
