"""Admins' commands: invite codes, the departments overview, renaming, the audit, reopening.

The router only lets ADMIN_IDS through; anyone else gets the ordinary unknown-command answer.
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.cases.service import CaseService
from bot.core.clock import utc_now
from bot.departments.admin_views import audit_line, departments_lines
from bot.departments.roster import Person, Roster
from bot.departments.service import DepartmentService
from bot.ui.context import ViewContext
from bot.ui.replies import answer_lines
from handlers.roster import person_label

MAX_CASE_DIGITS = 18
"""More does not fit SQLite's integer; and ``isdigit`` alone also takes "²", which int() refuses."""


def get_router(admin_ids: frozenset[int]) -> Router:
    router = Router(name="admin")
    router.message.filter(F.from_user.id.in_(admin_ids))

    @router.message(Command("invite"))
    async def invite(
        message: Message,
        command: CommandObject,
        departments: DepartmentService,
        view: ViewContext,
    ) -> None:
        region = (command.args or "").strip()
        code = await departments.invite(region) if region else None
        if code is None:
            await answer_lines(
                message,
                [
                    _("Usage: /invite region_code, for example /invite almaty_city. Region codes:"),
                    *_region_codes(view),
                ],
            )
            return
        await message.answer(
            _(
                "A one-time code to link a department chat, valid 24 hours.\nRegion: {region}\n"
                "<code>/join {code}</code>\n\n"
                "Add the bot to the officers' group and send this command there, or send it to "
                "the bot in a private chat to link a single officer."
            ).format(region=escape(view.region_name(region)), code=code)
        )

    @router.message(Command("departments"))
    async def overview(message: Message, departments: DepartmentService, view: ViewContext) -> None:
        """Problems first, by region name; see ``bot.departments.admin_views.departments_lines``."""
        await answer_lines(message, departments_lines(await departments.overview(utc_now()), view))

    @router.message(Command("audit"))
    async def audit(
        message: Message,
        command: CommandObject,
        cases: CaseService,
        roster: Roster,
        view: ViewContext,
    ) -> None:
        """Who did what, named: officers by their roster identity, admins by their id."""
        number = _case_number(command)
        if not number:
            entries = await cases.staff_actions()
            lines = [_("<b>Latest exports and broadcasts</b>")]
            names = await roster.names(row.actor for row in entries)
            lines += [audit_line(row, view, _actor(row.actor, names)) for row in entries]
            if not entries:
                lines.append(_("Nothing yet."))
            await answer_lines(message, lines)
            return
        rows = await cases.audit(int(number)) if _readable(number) else None
        if rows is None:
            await message.answer(_("Usage: /audit case_number, for example /audit 42"))
            return
        lines = [_("<b>Audit of case № {number}</b>").format(number=number)]
        names = await roster.names(row.actor for row in rows)
        lines += [audit_line(row, view, _actor(row.actor, names)) for row in rows]
        if not rows:
            lines.append(_("No officer has acted on this case yet."))
        await answer_lines(message, lines)

    @router.message(Command("reopen"))
    async def reopen(message: Message, command: CommandObject, cases: CaseService) -> None:
        number = _case_number(command)
        case = (
            await cases.reopen(int(number), message.from_user.id)  # type: ignore[union-attr]
            if _readable(number)
            else None
        )
        if case is None:
            await message.answer(
                _("Usage: /reopen case_number, for a closed case, for example /reopen 42")
            )
            return
        await message.answer(
            _(
                "Case № {number} is open again. It goes to its department in the next digest; "
                "the reporter sees it in /status."
            ).format(number=case.case_no)
        )

    @router.message(Command("unlink"), F.text.regexp(r"^/unlink(@\w+)?\s+[a-z_]+$"))
    async def unlink_region(
        message: Message, command: CommandObject, departments: DepartmentService
    ) -> None:
        """An admin in private: ``/unlink region`` removes every chat of that department."""
        removed = await departments.unlink_region((command.args or "").strip())
        await message.answer(_("Chats unlinked: {count}.").format(count=removed))

    @router.message(Command("rename"))
    async def rename(
        message: Message, command: CommandObject, departments: DepartmentService, view: ViewContext
    ) -> None:
        region, _sep, rest = (command.args or "").partition(" ")
        locale, _sep, name = rest.partition(" ")
        if locale not in ("kk", "ru") or not name.strip() or len(name) > 200:
            await message.answer(_("Usage: /rename region_code kk|ru New name of the department"))
            return
        if not await departments.rename(region, locale, name.strip()):
            await answer_lines(message, [_("Unknown region code. Codes:"), *_region_codes(view)])
            return
        await message.answer(_("Renamed."))

    return router


def _case_number(command: CommandObject) -> str:
    return (command.args or "").strip().lstrip("№#").strip()


def _readable(number: str) -> bool:
    return number.isascii() and number.isdigit() and len(number) <= MAX_CASE_DIGITS


def _region_codes(view: ViewContext) -> list[str]:
    """``code — name`` for each region: what /invite, /rename and /unlink take."""
    return [
        f"<code>{entry.code}</code> — {escape(entry.name(view.locale))}"
        for entry in view.catalog.regions
    ]


def _actor(actor: bytes, names: dict[bytes, Person]) -> str:
    """An officer on the roster by name; an admin by id; an actor from before the roster by
    pseudonym."""
    person = names.get(actor)
    if person is None:
        return _("officer {pseudonym}").format(pseudonym=actor.hex()[:8])
    if not person.name:
        return _("admin, id {id}").format(id=person.user_id)
    return person_label(person)
