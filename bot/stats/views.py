"""The /stats text: short, in the reader's language, in whole lines
(bot.ui.replies.answer_lines)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from html import escape

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date, format_timedelta

from bot.stats.service import WEEKS, Stats
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment, format_number
from bot.ui.keyboards import LANGUAGE_NAMES
from bot.ui.labels import case_status_labels

SPARKS = "▁▂▃▄▅▆▇█"


def stats_lines(stats: Stats, ctx: ViewContext) -> list[str]:
    number = partial(format_number, locale=ctx.locale)
    lines = [
        _("📊 <b>Statistics: {scope}</b>").format(scope=scope_name(stats, ctx)),
        *summary_lines(stats, ctx),
    ]
    region = ctx.region_name
    lines += _counted(_("<b>By region</b>"), stats.by_region, region, number)
    lines += _counted(_("<b>By sphere</b>"), stats.by_category, sphere_namer(ctx), number)
    statuses = case_status_labels()
    lines += _counted(
        _("<b>By status</b>"), stats.by_status, lambda code: statuses.get(code, code), number
    )
    if stats.overdue:
        lines += ["", _("<b>Overdue by region</b>, worst first")]
        lines += [
            f"{place}. {escape(region(code))}: {number(count)}"
            for place, (code, count) in enumerate(stats.overdue_by_region, 1)
        ]
    lines += ["", *_weekly(stats, ctx)]
    lines += ["", _("<b>Delivery</b>"), *delivery_lines(stats, ctx)]
    if stats.regions is None:
        lines += ["", *_audience(stats, ctx)]
    return lines


def summary_lines(stats: Stats, ctx: ViewContext) -> list[str]:
    """The totals and the median times, as plain text."""
    number = partial(format_number, locale=ctx.locale)
    return [
        _("Reports: {total}. Open: {open}. Overdue: {overdue}.").format(
            total=number(stats.total), open=number(stats.open), overdue=number(stats.overdue)
        ),
        _("Median time to acceptance: {accept}; to closing: {close}.").format(
            accept=duration(stats.to_accept, ctx.locale),
            close=duration(stats.to_close, ctx.locale),
        ),
    ]


def delivery_lines(stats: Stats, ctx: ViewContext) -> list[str]:
    """What keeps cases from their departments, as plain text."""
    delivery = [
        (
            _("Open reports of regions with no department chat (they go to the admins): {count}"),
            stats.unrouted,
        ),
        (_("Department chats refusing the bot's messages: {count}"), stats.refusing),
        (_("Messages the bot gave up on: {count}"), stats.given_up),
    ]
    return [text.format(count=format_number(count, ctx.locale)) for text, count in delivery]


def chart_caption(stats: Stats, ctx: ViewContext) -> str:
    return _(
        "📊 Reports by region (above) and by sphere (below), since the start: {total}. {scope}."
    ).format(total=format_number(stats.total, ctx.locale), scope=scope_name(stats, ctx))


def scope_name(stats: Stats, ctx: ViewContext) -> str:
    if stats.regions is None:
        return _("all regions")
    return escape(", ".join(ctx.region_name(code) for code in sorted(stats.regions)))


def _counted(
    title: str,
    counts: tuple[tuple[str, int], ...],
    name: Callable[[str], str],
    number: Callable[[int], str],
) -> list[str]:
    if not counts:
        return []
    return ["", title] + [
        f"• {escape(name(code), quote=False)}: {number(count)}" for code, count in counts
    ]


def sphere_namer(ctx: ViewContext) -> Callable[[str], str]:
    def name(code: str) -> str:
        entry = ctx.catalog.category(code)
        return entry.name(ctx.locale) if entry else code

    return name


def _weekly(stats: Stats, ctx: ViewContext) -> list[str]:
    """A sparkline of the weeks, oldest first, then the weeks that had reports, newest first."""
    lines = [_("<b>New per week</b>, the last {weeks}").format(weeks=WEEKS)]
    counts = [count for _week, count in stats.weekly]
    busy = [(week, count) for week, count in reversed(stats.weekly) if count]
    if not busy:
        lines.append(_("No new reports in these weeks."))
        return lines
    top = max(counts)
    lines.append("".join(SPARKS[-(-count * (len(SPARKS) - 1) // top)] for count in counts))
    lines += [
        _("• week of {week}: {count}").format(
            week=format_date(week, "d MMM", locale=ctx.locale),
            count=format_number(count, ctx.locale),
        )
        for week, count in busy
    ]
    return lines


def _audience(stats: Stats, ctx: ViewContext) -> list[str]:
    number = partial(format_number, locale=ctx.locale)
    total = sum(count for _locale, count in stats.subscribers)
    by_language = " · ".join(
        f"{LANGUAGE_NAMES.get(code, escape(code))}: {number(count)}"
        for code, count in stats.subscribers
    )
    lines = [
        _("<b>News subscribers</b>: {count}").format(count=number(total)),
    ]
    if by_language:
        lines.append(by_language)
    lines.append(_("<b>Latest broadcasts</b>"))
    if not stats.reach:
        lines.append(_("None sent yet."))
    for reach in stats.reach:
        created = datetime.fromisoformat(reach.created_at)
        lines.append(
            _("№ {number}, {created}: sent {sent} · blocked {blocked} · failed {failed}").format(
                number=reach.id,
                created=format_moment(created, ctx.zone, ctx.locale),
                sent=number(reach.sent),
                blocked=number(reach.blocked),
                failed=number(reach.failed),
            )
        )
    return lines


def duration(value: timedelta | None, locale: str) -> str:
    """A median time in words ("3 days"); a dash for none yet."""
    return "—" if value is None else format_timedelta(value, locale=locale)
