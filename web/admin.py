"""The admin section: departments and rosters, statistics, broadcasts, the audit log, the export.

The same people may do here what they may in the chat: admins everything; a head the department
and roster of the regions they head (inviting and removing officers), and the statistics and
export of their regions, as /stats and /export give them in a private chat; broadcasts and the
audit log are the admins'. Anyone else, and anything outside the viewer's regions, gets the one
"not found" (``web.security.not_found``), whether or not it exists.

Routes, under ``/app/api/``:

- ``GET admin/departments`` -> ``{"departments": [...]}`` (``admin_people.departments``)
- ``GET admin/roster[?region=]`` -> ``{"officers": [...], "regions": [...], "roles": [...]}``
- ``POST admin/invite`` ``{"region", "role"}`` -> the code (``admin_people.invite``)
- ``POST admin/roster/{entry}/remove`` -> ``{"officer": {...}}``
- ``GET admin/stats`` -> ``admin_stats.stats_view``
- ``POST admin/export`` -> ``{"sent": true}``, or 409 ``{"error": "no_private_chat"}``
- ``GET admin/broadcasts`` -> ``{"broadcasts": [...]}``
- ``POST admin/broadcasts/{id}/{pause|resume|cancel}`` -> ``{"broadcast": {...}}``, or 409
  ``{"error": "inactive", "broadcast": {...}}`` when its state does not allow that
- ``GET admin/audit[?region=&action=&officer=&from=&to=&page=]`` -> ``{"entries", "page",
  "more", "actions", "officers"}``
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from aiogram.utils.i18n import gettext as _
from aiohttp import web

from bot.core.clock import utc_now
from bot.ui.context import ViewContext
from bot.workspace import admin_audit, admin_broadcasts, admin_export, admin_people, admin_stats
from bot.workspace.admin_people import Scope
from web.deps import DEPS
from web.security import LOCALE, VIEWER, json_body, not_found, refusal

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_PAGE = 10_000
MAX_FIELD = 64


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/admin/departments", _managers(departments))
    router.add_get("/admin/roster", _managers(roster))
    router.add_post("/admin/invite", _managers(invite))
    router.add_post("/admin/roster/{entry}/remove", _managers(remove))
    router.add_get("/admin/stats", _managers(stats))
    router.add_post("/admin/export", _managers(export))
    router.add_get("/admin/broadcasts", _admins(broadcasts))
    router.add_post("/admin/broadcasts/{id}/{action}", _admins(control))
    router.add_get("/admin/audit", _admins(audit))


def _managers(handler: Callable[[web.Request, Scope], Awaitable[web.Response]]) -> Handler:
    """Admins and heads, with the regions they manage (None: all); officers are refused."""

    async def checked(request: web.Request) -> web.Response:
        scope = request[VIEWER].managed
        return not_found() if scope == frozenset() else await handler(request, scope)

    return checked


def _admins(handler: Handler) -> Handler:
    async def checked(request: web.Request) -> web.StreamResponse:
        return await handler(request) if request[VIEWER].admin else not_found()

    return checked


def _view(request: web.Request) -> ViewContext:
    deps = request.app[DEPS]
    return ViewContext(deps.catalog, request[LOCALE], deps.zone)


async def departments(request: web.Request, scope: Scope) -> web.Response:
    deps = request.app[DEPS]
    found = await admin_people.departments(deps.departments, scope, _view(request))
    return web.json_response({"departments": found})


async def roster(request: web.Request, scope: Scope) -> web.Response:
    """Everyone on the rosters the viewer manages, or on one region's (``?region=``)."""
    region = request.query.get("region")
    if region is not None:
        if scope is not None and region not in scope:
            return not_found()
        scope = frozenset({region})
    deps = request.app[DEPS]
    ctx = _view(request)
    officers = await admin_people.roster_entries(deps.roster, scope, ctx)
    choices = admin_people.invite_choices(request[VIEWER].managed, ctx)
    return web.json_response({"officers": officers, **choices})


async def invite(request: web.Request, scope: Scope) -> web.Response:
    body = await json_body(request)
    region, role = (body or {}).get("region"), (body or {}).get("role")
    if not isinstance(region, str) or not isinstance(role, str):
        return refusal(400, "invalid", field="region" if not isinstance(region, str) else "role")
    deps = request.app[DEPS]
    code = await admin_people.invite(
        deps.roster, scope, region, role, request[VIEWER].user_id, _view(request)
    )
    return not_found() if code is None else web.json_response(code)


async def remove(request: web.Request, scope: Scope) -> web.Response:
    entry = request.match_info["entry"]
    if len(entry) > MAX_FIELD:
        return not_found()
    deps = request.app[DEPS]
    removed = await admin_people.remove(
        deps.roster, scope, entry, request[VIEWER].user_id, _view(request)
    )
    return not_found() if removed is None else web.json_response({"officer": removed})


async def stats(request: web.Request, scope: Scope) -> web.Response:
    """The regions of /stats in a private chat: every one for an admin, a head's own."""
    deps = request.app[DEPS]
    summary = await deps.stats.summary(request[VIEWER].regions, utc_now())
    return web.json_response(admin_stats.stats_view(summary, _view(request)))


async def export(request: web.Request, scope: Scope) -> web.Response:
    """The CSV of the viewer's regions (as /export in a private chat) to their private chat."""
    deps = request.app[DEPS]
    viewer = request[VIEWER]
    sent = await admin_export.export(
        deps.bot, deps.stats, viewer.user_id, viewer.regions, _view(request)
    )
    return web.json_response({"sent": True}) if sent else refusal(409, "no_private_chat")


async def broadcasts(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    found = await admin_broadcasts.recent(deps.broadcasts, _view(request))
    return web.json_response({"broadcasts": found})


async def control(request: web.Request) -> web.Response:
    number = request.match_info["id"]
    if not (number.isascii() and number.isdigit() and len(number) <= MAX_FIELD // 4):
        return not_found()
    deps = request.app[DEPS]
    done = await admin_broadcasts.control(
        deps.broadcasts, int(number), request.match_info["action"], _view(request)
    )
    if done is None:
        return not_found()
    if done["inactive"]:
        return refusal(409, "inactive", broadcast=done["broadcast"])
    return web.json_response({"broadcast": done["broadcast"]})


async def audit(request: web.Request) -> web.Response:
    deps = request.app[DEPS]
    query = request.query
    filters = _audit_filters(request)
    page = query.get("page", "0")
    if filters is None:
        return refusal(400, "invalid", field="filters")
    if not (page.isascii() and page.isdigit() and int(page) <= MAX_PAGE):
        return refusal(400, "invalid", field="page")
    ctx = _view(request)
    found = await admin_audit.audit_page(deps.cases, deps.roster, filters, int(page), ctx)
    if found is None:
        return refusal(400, "invalid", field="officer")
    return web.json_response(found | await admin_audit.audit_choices(deps.roster, ctx))


def _audit_filters(request: web.Request) -> admin_audit.AuditFilters | None:
    """The filters of the query, empty values left out; None if one cannot be read."""
    query = {key: value for key, value in request.query.items() if value}
    catalog = request.app[DEPS].catalog
    region = query.get("region")
    if region is not None and catalog.region(region) is None:
        return None
    if any(len(value) > MAX_FIELD for value in query.values()):
        return None
    try:
        since = date.fromisoformat(query["from"]) if "from" in query else None
        until = date.fromisoformat(query["to"]) if "to" in query else None
    except ValueError:
        return None
    return admin_audit.AuditFilters(
        region=region,
        action=query.get("action"),
        officer=query.get("officer"),
        since=since,
        until=until,
    )


def strings() -> dict[str, str]:
    """The page's words for this part, by key (``web.strings``)."""
    return {
        "admin.departments": _("Departments"),
        "admin.stats": _("Statistics"),
        "admin.broadcasts": _("Broadcasts"),
        "admin.audit": _("Audit log"),
        "admin.in_order": _("In order"),
        "admin.attention": _("Needs attention"),
        "admin.roster": _("Roster"),
        "admin.name": _("Name"),
        "admin.role": _("Role"),
        "admin.region": _("Region"),
        "admin.removed": _("removed"),
        "admin.remove": _("Remove"),
        "admin.remove_confirm": _(
            "Take {name} off the roster of {region}? Their access ends at once."
        ),
        "admin.removed_done": _("Removed from the roster: {person}."),
        "admin.nobody": _("Nobody on the roster yet."),
        "admin.invite": _("Invite a person"),
        "admin.invite_submit": _("Get a one-time code"),
        "admin.invite_code": _(
            "Give it to that person alone: they send {command} to the bot in a private chat. "
            "Valid until {expires}."
        ),
        "admin.export": _("Export the cases (CSV) to my chat with the bot"),
        "admin.export_sent": _("Sent to you in a private chat."),
        "admin.export_no_chat": _(
            "The bot cannot write to you. Open your private chat with the bot, press Start, "
            "then try again."
        ),
        "admin.chart": _("Chart: {title}"),
        "admin.value": _("Value"),
        "admin.no_data": _("No data yet."),
        "admin.broadcasts_none": _("No broadcasts yet. Start one with /broadcast."),
        "admin.inactive": _("This button is no longer active."),
        "admin.when": _("When"),
        "admin.who": _("Who"),
        "admin.what": _("What"),
        "admin.case": _("Case number"),
        "admin.action": _("Action"),
        "admin.officer": _("Officer"),
        "admin.from": _("From"),
        "admin.to": _("To"),
        "admin.any": _("All"),
        "admin.apply": _("Apply"),
        "admin.newer": _("Newer"),
        "admin.older": _("Older"),
        "admin.empty": _("Nothing yet."),
    }
