"""The admin section's departments and rosters, with the chat's rules (``handlers/roster.py``).

``scope`` is the regions the viewer manages (``Viewer.managed``): None for an admin, who sees
every department and invites or removes officers and heads anywhere; a head's regions, where
they invite and remove officers only. The workspace never shows a Telegram id or @username:
people are named by their name and role, and a roster entry is addressed by its own id.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.core.clock import utc_now
from bot.departments.admin_views import department_counts, department_name, department_problems
from bot.departments.roster import Officer, Role, Roster
from bot.departments.service import INVITE_SECONDS, DepartmentService
from bot.telegram.sanitize import visible_text
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment
from bot.ui.labels import role_labels

Scope = frozenset[str] | None


def roles_managed(scope: Scope) -> frozenset[Role]:
    """Whom the viewer may invite and remove: anyone for an admin, officers for a head."""
    return frozenset(Role) if scope is None else frozenset({Role.OFFICER})


async def departments(
    service: DepartmentService, scope: Scope, ctx: ViewContext
) -> list[dict[str, Any]]:
    """As /departments shows them: those needing attention first, then by name.

    Each: ``region``, ``name``, ``in_order``, ``problems`` and ``counts`` (texts), ``chats``.
    """
    statuses = [
        status
        for status in await service.overview(utc_now())
        if scope is None or status.department.region in scope
    ]
    statuses.sort(key=lambda s: (s.in_order, -s.overdue, department_name(s, ctx)))
    return [
        {
            "region": status.department.region,
            "name": department_name(status, ctx),
            "in_order": status.in_order,
            "problems": department_problems(status, ctx),
            "counts": department_counts(status, ctx),
            "chats": status.chats,
        }
        for status in statuses
    ]


async def roster_entries(roster: Roster, scope: Scope, ctx: ViewContext) -> list[dict[str, Any]]:
    """Everyone on the rosters of ``scope``, the removed ones too (``removed``), by region.

    Each: ``id`` (the entry's), ``region``, ``region_name``, ``name``, ``role``,
    ``role_label``, ``removed``, ``removable`` (by this viewer).
    """
    removable = roles_managed(scope)
    officers = await roster.members(scope, removed=True)
    officers.sort(key=lambda o: (ctx.region_name(o.region), o.removed))
    return [_entry(officer, ctx, removable) for officer in officers]


async def invite(
    roster: Roster, scope: Scope, region: str, role: str, inviter: int, ctx: ViewContext
) -> dict[str, Any] | None:
    """A personal one-time code, as ``/invite region role`` gives it, or None where the viewer
    may not invite (or the region or role does not exist).

    ``{"code", "command": "/join <code>", "expires_at": ISO, "expires": local text, "region",
    "region_name", "role", "role_label"}``.
    """
    if role not in set(Role) or Role(role) not in roles_managed(scope):
        return None
    if scope is not None and region not in scope:
        return None
    expires = utc_now() + timedelta(seconds=INVITE_SECONDS)
    code = await roster.invite(region, Role(role), inviter)
    if code is None:
        return None
    return {
        "code": code,
        "command": f"/join {code}",
        "expires_at": expires.isoformat(timespec="seconds"),
        "expires": format_moment(expires, ctx.zone, ctx.locale),
        "region": region,
        "region_name": ctx.region_name(region),
        "role": role,
        "role_label": role_labels()[role],
    }


async def remove(
    roster: Roster, scope: Scope, entry_id: str, remover: int, ctx: ViewContext
) -> dict[str, Any] | None:
    """Take the entry off its roster; the entry as it is now, or None if it is not the
    viewer's to remove (or not on a roster any more)."""
    removed = await roster.remove_entry(entry_id, remover, scope, roles_managed(scope))
    if removed is None:
        return None
    return _entry(removed, ctx, frozenset()) | {"removed": True}


def invite_choices(scope: Scope, ctx: ViewContext) -> dict[str, list[dict[str, str]]]:
    """The regions and roles the viewer may invite to, for the page's form."""
    regions = [
        {"code": entry.code, "name": entry.name(ctx.locale)}
        for entry in sorted(ctx.catalog.regions, key=lambda r: r.name(ctx.locale))
        if scope is None or entry.code in scope
    ]
    labels = role_labels()
    roles = [{"code": role.value, "label": labels[role]} for role in roles_managed(scope)]
    roles.sort(key=lambda r: r["code"] != Role.OFFICER)
    return {"regions": regions, "roles": roles}


def _entry(officer: Officer, ctx: ViewContext, removable: frozenset[Role]) -> dict[str, Any]:
    return {
        "id": officer.id,
        "region": officer.region,
        "region_name": ctx.region_name(officer.region),
        "name": visible_text(officer.person.name),
        "role": officer.role.value,
        "role_label": role_labels()[officer.role],
        "removed": officer.removed,
        "removable": not officer.removed and officer.role in removable,
    }
