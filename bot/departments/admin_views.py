"""What admins read in /departments and /audit: regions by name, actions in their language."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from html import escape

from aiogram.utils.i18n import gettext as _

from bot.broadcasts.views import audience_name
from bot.departments.service import DepartmentStatus
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment, format_number
from bot.ui.labels import resolution_labels
from storage.cases import AuditRow
from storage.subscribers import Audience


def departments_lines(statuses: list[DepartmentStatus], ctx: ViewContext) -> list[str]:
    """Regions with a problem first, the most urgent on top, each with only its problems marked;
    the regions in order after them. Regions with no chat and nothing open share one line."""
    name = partial(department_name, ctx=ctx)
    troubled = sorted(
        (status for status in statuses if not status.in_order),
        key=lambda s: (
            not (s.refusing or s.undelivered),
            -s.overdue,
            -s.pending,
            name(s),
        ),
    )
    idle = [s for s in troubled if not (s.chats or s.pending or s.refusing or s.undelivered)]
    healthy = sorted((s for s in statuses if s.in_order), key=name)
    lines = [_("<b>Departments</b>")]
    if troubled:
        lines.append(_("⚠️ <b>Need attention: {count}</b>").format(count=len(troubled)))
        lines += [_problem_line(s, ctx) for s in troubled if s not in idle]
    if idle:
        lines.append(
            _("⚠️ No linked chat, nothing open (reports would go to the admins): {regions}").format(
                regions=", ".join(escape(name(s)) for s in idle)
            )
        )
    if healthy:
        lines.append(_("✅ <b>In order: {count}</b>").format(count=len(healthy)))
        lines += [f"• <b>{escape(name(s))}</b>: {_counts(s, ctx)}" for s in healthy]
    lines.append(_("To link a chat to a region: /invite (it lists the region codes)."))
    return lines


def department_name(status: DepartmentStatus, ctx: ViewContext) -> str:
    """The region's name; a department the admins renamed keeps its own name beside it."""
    region = ctx.region_name(status.department.region)
    own = status.department.name(ctx.locale)
    return region if own == region else f"{region} ({own})"


def _problem_line(status: DepartmentStatus, ctx: ViewContext) -> str:
    name = department_name(status, ctx)
    problems = "; ".join(department_problems(status, ctx))
    return f"⚠️ <b>{escape(name)}</b>: {problems} ({_counts(status, ctx)})"


def department_problems(status: DepartmentStatus, ctx: ViewContext) -> list[str]:
    """What needs attention in a department, each as plain text; none for one in order."""
    number = ctx.locale
    problems = []
    if not status.chats:
        problems.append(_("no linked chat: its reports go to the admins"))
    if status.refusing:
        problems.append(
            _("chats refusing the bot's messages: {count}").format(
                count=format_number(status.refusing, number)
            )
        )
    if status.undelivered:
        problems.append(
            _("cases not delivered for over a day: {count}").format(
                count=format_number(status.undelivered, number)
            )
        )
    if status.overdue:
        problems.append(_("overdue: {count}").format(count=format_number(status.overdue, number)))
    return problems


def _counts(status: DepartmentStatus, ctx: ViewContext) -> str:
    return " · ".join(department_counts(status, ctx))


def department_counts(status: DepartmentStatus, ctx: ViewContext) -> list[str]:
    """Its chats, open cases and last digest, each as plain text."""
    parts = [
        _("chats: {count}").format(count=format_number(status.chats, ctx.locale)),
        _("open: {count}").format(count=format_number(status.pending, ctx.locale)),
    ]
    last = status.department.last_digest_at
    if last:
        when = format_moment(datetime.fromisoformat(last), ctx.zone, ctx.locale)
        parts.append(_("last digest: {when}").format(when=when))
    return parts


def audit_line(row: AuditRow, ctx: ViewContext, actor: str) -> str:
    """``• moment — who: what · region``, every part in the reader's language."""
    moment = format_moment(datetime.fromisoformat(row.at), ctx.zone, ctx.locale)
    shown = row.region and row.action != "export"  # an export names its regions itself
    where = f" · {escape(ctx.region_name(row.region or ''))}" if shown else ""
    return f"• {moment} — {actor}: {audit_action(row, ctx)}{where}"


def audit_action(row: AuditRow, ctx: ViewContext) -> str:
    """What was done; an action this version does not know is shown as it was recorded."""
    detail = row.detail or ""
    results = resolution_labels()
    simple = {
        "accepted": _("case accepted"),
        "read": _("opened the case"),
        "asked": _("question sent to the reporter"),
    }
    if row.action in simple:
        return simple[row.action]
    if row.action == "closed":
        return _("case closed: {result}").format(result=results.get(detail, escape(detail)))
    if row.action == "reopened":
        if not detail:
            return _("case reopened")
        return _("case reopened (its result was: {result})").format(
            result=results.get(detail, escape(detail))
        )
    if row.action == "moved":
        old, _sep, new = detail.partition(">")
        return _("case sent to another region: {old} → {new}").format(
            old=escape(ctx.region_name(old)), new=escape(ctx.region_name(new))
        )
    if row.action == "export":
        return _export(row, ctx)
    if row.action == "broadcast":
        number, _sep, audience = detail.partition(" ")
        return _("broadcast № {number}: {audience}").format(
            number=escape(number), audience=audience_name(Audience.unpack(audience), ctx)
        )
    return escape(f"{row.action} ({detail})" if detail else row.action)


def _export(row: AuditRow, ctx: ViewContext) -> str:
    """An export's detail reads ``<count> cases``; its region, the codes it covered or none."""
    count = (row.detail or "").split(" ", 1)[0]
    regions = (
        ", ".join(ctx.region_name(code) for code in row.region.split(","))
        if row.region
        else _("all regions")
    )
    return _("cases exported: {count} ({regions})").format(
        count=format_number(int(count), ctx.locale) if count.isdigit() else escape(count),
        regions=escape(regions),
    )
