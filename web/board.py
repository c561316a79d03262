"""The case board: ``GET /api/cases`` with its filters, and the board's words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date

from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.core.catalog import Catalog
from bot.core.values import CaseStatus
from bot.ui.formatting import format_number
from bot.workspace.access import Viewer
from bot.workspace.board import SEARCH_MAX, BoardQuery
from storage.board import Order
from web.deps import DEPS
from web.security import LOCALE, VIEWER, refusal

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
PAGE_MAX = 100_000
FLAGS = {"": False, "0": False, "1": True}


class Invalid(Exception):
    """A query parameter the board does not take: its name."""


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/cases", board)


async def board(request: web.Request) -> web.Response:
    """The viewer's cases: see ``board_query`` for the parameters; a bad one is answered 400
    ``{"error": "invalid", "field": name}``, a region not the viewer's as well."""
    deps = request.app[DEPS]
    viewer, locale = request[VIEWER], request[LOCALE]
    try:
        query = board_query(request.query, deps.catalog, viewer)
    except Invalid as bad:
        return refusal(400, "invalid", field=str(bad))
    page = await deps.board.page(viewer.regions, query, locale)
    options = deps.board.options(viewer.regions, locale)
    return web.json_response(
        {
            "cases": [asdict(case) for case in page.cases],
            "counts": page.counts,
            "total": page.total,
            "page": page.page,
            "pages": page.pages,
            "formatted": {
                "total": format_number(page.total, locale),
                "page": format_number(page.page, locale),
                "pages": format_number(page.pages, locale),
                "counts": {s: format_number(n, locale) for s, n in page.counts.items()},
            },
            "options": {name: [asdict(o) for o in shown] for name, shown in options.items()},
        }
    )


def board_query(params: Mapping[str, str], catalog: Catalog, viewer: Viewer) -> BoardQuery:
    """``status``, ``sphere``, ``region`` (one the viewer sees), ``overdue`` and ``urgent``
    (``1``), ``from`` and ``to`` (``YYYY-MM-DD``), ``q``, ``sort``, ``page`` (from 1)."""
    status = _choice(params, "status", {s.value for s in CaseStatus})
    sphere = _choice(params, "sphere", {c.code for c in catalog.categories})
    region = _choice(params, "region", {r.code for r in catalog.regions if viewer.sees(r.code)})
    first, last = _day(params, "from"), _day(params, "to")
    if first and last and last < first:
        raise Invalid("to")
    text = params.get("q", "").strip()
    if len(text) > SEARCH_MAX:
        raise Invalid("q")
    page = params.get("page", "1")
    if not (page.isascii() and page.isdigit() and 1 <= int(page) <= PAGE_MAX):
        raise Invalid("page")
    return BoardQuery(
        status=None if status is None else CaseStatus(status),
        sphere=sphere,
        region=region,
        overdue=_flag(params, "overdue"),
        urgent=_flag(params, "urgent"),
        received_from=first,
        received_to=last,
        text=text or None,
        order=Order(_choice(params, "sort", {o.value for o in Order}) or Order.NEWEST),
        page=int(page),
    )


def _choice(params: Mapping[str, str], name: str, allowed: set[str]) -> str | None:
    value = params.get(name, "")
    if not value:
        return None
    if value not in allowed:
        raise Invalid(name)
    return value


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "")
    if value not in FLAGS:
        raise Invalid(name)
    return FLAGS[value]


def _day(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name, "")
    if not value:
        return None
    try:
        if DAY.fullmatch(value) is None:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(name) from None


def strings() -> dict[str, str]:
    """The page's words for this part, by key (``web.strings``)."""
    return {
        "board.title": _("Cases"),
        "board.filters": _("Filters"),
        "board.status": _("Status"),
        "board.sphere": _("Sphere"),
        "board.region": _("Region"),
        "board.any": _("All"),
        "board.overdue": _("Overdue only"),
        "board.urgent": _("Urgent only"),
        "board.from": _("Received from"),
        "board.to": _("Received until"),
        "board.search": _("Search"),
        "board.search_hint": _("Words from the text or the place, or a case number"),
        "board.sort": _("Order"),
        "board.sort.newest": _("Newest first"),
        "board.sort.oldest": _("Oldest first"),
        "board.sort.deadline": _("Nearest deadline first"),
        "board.apply": _("Show"),
        "board.reset": _("Clear the filters"),
        "board.total": _("Cases found: {n}"),
        "board.empty": _("No cases match these filters."),
        "board.invalid": _("These filters cannot be applied."),
        "board.prev": _("Previous"),
        "board.next": _("Next"),
        "board.page": _("Page {page} of {pages}"),
        "board.case": _("Case № {number}"),
        "board.received": _("Received {date}"),
        "board.due": _("Due {date}"),
        "board.is_overdue": _("Overdue"),
        "board.is_due_soon": _("Due soon"),
        "board.is_urgent": _("Urgent"),
    }
