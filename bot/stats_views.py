"""The /stats text: short, in the reader's language, within one Telegram message."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from html import escape

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date, format_timedelta

from bot.formatting import format_number
from bot.labels import case_status_labels
from bot.stats import Stats
from bot.views import ViewContext


def stats_text(stats: Stats, ctx: ViewContext) -> str:
    number = partial(format_number, locale=ctx.locale)
    overdue = dict(stats.overdue_by_region)
    lines = [
        _("📊 <b>Statistics: {scope}</b>").format(scope=_scope(stats, ctx)),
        _("Reports: {total}. Open: {open}. Overdue: {overdue}.").format(
            total=number(stats.total), open=number(stats.open), overdue=number(stats.overdue)
        ),
        _("Median time to acceptance: {accept}; to closing: {close}.").format(
            accept=_duration(stats.to_accept, ctx.locale),
            close=_duration(stats.to_close, ctx.locale),
        ),
    ]
    if stats.by_region:
        lines += ["", _("<b>By region</b>")]
        for code, count in stats.by_region:
            entry = ctx.catalog.region(code)
            line = f"• {escape(entry.name(ctx.locale) if entry else code)}: {number(count)}"
            if overdue.get(code):
                line += " " + _("(overdue: {count})").format(count=number(overdue[code]))
            lines.append(line)
    if stats.by_category:
        lines += ["", _("<b>By sphere</b>")]
        for code, count in stats.by_category:
            entry = ctx.catalog.category(code)
            lines.append(f"• {escape(entry.name(ctx.locale) if entry else code)}: {number(count)}")
    if stats.by_status:
        lines += ["", _("<b>By status</b>")]
        statuses = case_status_labels()
        for status, count in stats.by_status:
            lines.append(f"• {escape(statuses.get(status, status), quote=False)}: {number(count)}")
    lines += ["", _("<b>New per week</b> (week starting)")]
    lines.append(
        ", ".join(
            f"{format_date(week, 'd MMM', locale=ctx.locale)}: {number(count)}"
            for week, count in stats.weekly
        )
    )
    return "\n".join(lines)


def _scope(stats: Stats, ctx: ViewContext) -> str:
    if stats.regions is None:
        return _("all regions")
    names = []
    for code in sorted(stats.regions):
        entry = ctx.catalog.region(code)
        names.append(entry.name(ctx.locale) if entry else code)
    return escape(", ".join(names))


def _duration(value: timedelta | None, locale: str) -> str:
    return "—" if value is None else format_timedelta(value, locale=locale)
