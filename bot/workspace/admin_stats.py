"""The statistics of /stats for the workspace's charts: the same numbers (``StatsService``), as
bars with a value to draw and the text to show, formatted in the viewer's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import partial
from html import unescape
from typing import Any

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.stats.service import Stats
from bot.stats.views import delivery_lines, duration, scope_name, sphere_namer, summary_lines
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number
from bot.ui.labels import case_status_labels


def stats_view(stats: Stats, ctx: ViewContext) -> dict[str, Any]:
    """``{"scope", "lines": [texts as /stats words them], "charts": [{"key", "title",
    "bars": [{"code", "label", "value", "shown"}]}]}``; ``value`` is a count, or seconds for
    the ``times`` chart."""
    number = partial(format_number, locale=ctx.locale)
    statuses = case_status_labels()
    lines = [*summary_lines(stats, ctx), *delivery_lines(stats, ctx)]
    weeks = [(week.isoformat(), count) for week, count in stats.weekly]
    times = [
        (code, value)
        for code, value in (("accept", stats.to_accept), ("close", stats.to_close))
        if value is not None
    ]
    time_labels = {"accept": _("To acceptance"), "close": _("To closing")}
    charts = [
        _chart("region", _("By region"), stats.by_region, ctx.region_name, number),
        _chart("sphere", _("By sphere"), stats.by_category, sphere_namer(ctx), number),
        _chart(
            "week",
            _("New per week"),
            weeks,
            lambda week: format_date(date.fromisoformat(week), "d MMM", locale=ctx.locale),
            number,
        ),
        _chart(
            "times",
            _("Median time to acceptance and to closing"),
            [(code, round(value.total_seconds())) for code, value in times],
            time_labels.__getitem__,
            lambda seconds: duration(timedelta(seconds=seconds), ctx.locale),
        ),
        _chart("status", _("By status"), stats.by_status, lambda c: statuses.get(c, c), number),
        _chart("overdue", _("Overdue by region"), stats.overdue_by_region, ctx.region_name, number),
    ]
    return {"scope": unescape(scope_name(stats, ctx)), "lines": lines, "charts": charts}


def _chart(
    key: str,
    title: str,
    pairs: Iterable[tuple[str, int]],
    name: Callable[[str], str],
    shown: Callable[[int], str],
) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "bars": [
            {"code": code, "label": name(code), "value": value, "shown": shown(value)}
            for code, value in pairs
        ],
    }
