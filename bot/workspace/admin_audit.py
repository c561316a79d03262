"""The audit log in the admin section: every entry, filtered and paged, named as /audit names
them, but never by a Telegram id (an admin is "admin"). Admins only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from html import unescape
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.cases.service import CaseService
from bot.departments.admin_views import audit_action
from bot.departments.roster import Person, Roster
from bot.telegram.sanitize import visible_text
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment
from storage.cases import AuditQuery, AuditRow

PAGE = 50


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """The page's filters; None keeps everything. ``officer`` is a roster entry's id; the
    dates are local days, both included."""

    region: str | None = None
    action: str | None = None
    officer: str | None = None
    since: date | None = None
    until: date | None = None


async def audit_page(
    cases: CaseService, roster: Roster, filters: AuditFilters, page: int, ctx: ViewContext
) -> dict[str, Any] | None:
    """``{"entries": [{"at", "when", "who", "action", "what", "region", "region_name",
    "case_no"}], "page", "more"}``; None for an ``officer`` not on any roster."""
    actor_id = None
    if filters.officer is not None:
        found = [o for o in await roster.members(None, removed=True) if o.id == filters.officer]
        if not found:
            return None
        actor_id = found[0].person.user_id
    query = AuditQuery(
        region=filters.region,
        action=filters.action,
        since=_start_of(filters.since, ctx.zone),
        until=_start_of(filters.until + timedelta(days=1), ctx.zone) if filters.until else None,
    )
    rows = await cases.audit_log(query, actor_id, PAGE + 1, page * PAGE)
    shown = rows[:PAGE]
    names = await roster.names(row.actor for row in shown)
    return {
        "entries": [_entry(row, names.get(row.actor), ctx) for row in shown],
        "page": page,
        "more": len(rows) > PAGE,
    }


async def audit_choices(roster: Roster, ctx: ViewContext) -> dict[str, Any]:
    """What the filters offer: ``actions`` [{"code", "label"}] and ``officers`` [{"id",
    "label"}] (everyone ever on a roster, by name and region)."""
    actions = {
        "read": _("opened the case"),
        "accepted": _("case accepted"),
        "asked": _("question sent to the reporter"),
        "closed": _("case closed"),
        "reopened": _("case reopened"),
        "moved": _("case sent to another region"),
        "export": _("exports"),
        "broadcast": _("broadcasts"),
    }
    officers = await roster.members(None, removed=True)
    return {
        "actions": [{"code": code, "label": label} for code, label in actions.items()],
        "officers": [
            {
                "id": officer.id,
                "label": f"{visible_text(officer.person.name)} · {ctx.region_name(officer.region)}",
            }
            for officer in sorted(officers, key=lambda o: visible_text(o.person.name).lower())
        ],
    }


def _entry(row: AuditRow, person: Person | None, ctx: ViewContext) -> dict[str, Any]:
    moment = datetime.fromisoformat(row.at)
    return {
        "at": row.at,
        "when": format_moment(moment, ctx.zone, ctx.locale),
        "who": _name(row.actor, person),
        "action": row.action,
        "what": unescape(audit_action(row, ctx)),
        "region": row.region if row.action != "export" else None,
        "region_name": ctx.region_name(row.region)
        if row.region and row.action != "export"
        else None,
        "case_no": row.case_no,
    }


def _name(actor: bytes, person: Person | None) -> str:
    """An officer by name; an admin as "admin"; an actor from before the roster by
    pseudonym, as /audit names them."""
    if person is None:
        return _("officer {pseudonym}").format(pseudonym=actor.hex()[:8])
    return visible_text(person.name) if person.name else _("admin")


def _start_of(day: date | None, zone: tzinfo) -> str | None:
    if day is None:
        return None
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC).isoformat()
