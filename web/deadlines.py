"""The deadlines view: ``GET /api/deadlines``, and its words."""

from __future__ import annotations

from dataclasses import asdict

from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.ui.formatting import format_number
from bot.workspace.deadlines import Load
from web.deps import DEPS
from web.security import LOCALE, VIEWER


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/deadlines", deadlines)


async def deadlines(request: web.Request) -> web.Response:
    """Overdue cases and those due within a week (the nearest first, at most
    ``bot.workspace.deadlines.LISTED`` each, with their totals), the load by officer and by
    region; of the viewer's regions only."""
    deps = request.app[DEPS]
    locale = request[LOCALE]
    overview = await deps.deadline_view.overview(request[VIEWER].regions, locale)

    def load(row: Load) -> dict[str, object]:
        counts = {"open": row.open, "week": row.week, "overdue": row.overdue}
        return {
            **asdict(row),
            "formatted": {name: format_number(n, locale) for name, n in counts.items()},
        }

    return web.json_response(
        {
            "overdue": [asdict(case) for case in overview.overdue],
            "week": [asdict(case) for case in overview.week],
            "totals": {"overdue": overview.overdue_total, "week": overview.week_total},
            "formatted": {
                "overdue": format_number(overview.overdue_total, locale),
                "week": format_number(overview.week_total, locale),
            },
            "officers": [load(row) for row in overview.officers],
            "regions": [load(row) for row in overview.regions],
        }
    )


def strings() -> dict[str, str]:
    """The page's words for this part, by key (``web.strings``)."""
    return {
        "deadlines.title": _("Deadlines"),
        "deadlines.overdue": _("Overdue"),
        "deadlines.week": _("Due within a week"),
        "deadlines.officers": _("By officer"),
        "deadlines.regions": _("By region"),
        "deadlines.none": _("None."),
        "deadlines.more": _("All {n} on the board"),
        "deadlines.officer": _("Officer"),
        "deadlines.region": _("Region"),
        "deadlines.open": _("Open"),
        "deadlines.in_week": _("Within a week"),
        "deadlines.late": _("Overdue"),
    }
