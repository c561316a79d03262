"""Managing a department's roster, in a private chat: personal invites, the list, removal.

Admins manage every region's roster and may invite heads; a head manages the officers of the
regions they head. Anyone else does not match here and gets the ordinary unknown-command answer
(``/invite <region>`` alone, the chat invite, is the admins' router's).
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.departments.roster import Officer, Person, Role, Roster
from bot.telegram.sanitize import visible_text
from bot.ui.context import ViewContext
from bot.ui.labels import role_labels
from bot.ui.replies import answer_lines
from handlers.gate import own_account

PERSONAL_INVITE = r"^/invite(@\w+)?\s+\S+\s+\S+\s*$"


class Manages(Filter):
    """``managed``: the regions whose roster the sender manages, None for an admin (all)."""

    async def __call__(
        self, message: Message, roster: Roster
    ) -> dict[str, frozenset[str] | None] | bool:
        if not own_account(message):
            return False
        managed = await roster.managed(message.from_user.id)  # type: ignore[union-attr]
        return False if managed == frozenset() else {"managed": managed}


def get_router() -> Router:
    router = Router(name="roster")
    router.message.filter(F.from_user)
    manages = Manages()

    @router.message(Command("invite"), F.text.regexp(PERSONAL_INVITE), manages)
    async def invite_person(
        message: Message,
        command: CommandObject,
        managed: frozenset[str] | None,
        roster: Roster,
        view: ViewContext,
    ) -> None:
        region, _sep, role_name = (command.args or "").strip().partition(" ")
        role_name = role_name.strip().lower()
        allowed_roles = {Role.OFFICER} if managed is not None else set(Role)
        may = managed is None or region in managed
        code = None
        if may and role_name in allowed_roles:
            inviter = message.from_user.id  # type: ignore[union-attr]
            code = await roster.invite(region, Role(role_name), inviter)
        if code is None:
            await message.answer(_invite_usage(managed))
            return
        await message.answer(
            _(
                "A personal one-time code, valid 24 hours.\nRegion: {region}\nRole: {role}\n"
                "<code>/join {code}</code>\n\nGive it to that person alone: they send this "
                "command to the bot in a private chat. Sent in a group, the code stops working."
            ).format(
                region=escape(view.region_name(region)),
                role=role_labels()[role_name],
                code=code,
            )
        )

    @router.message(Command("officers"), manages)
    async def officers(
        message: Message,
        command: CommandObject,
        managed: frozenset[str] | None,
        roster: Roster,
        view: ViewContext,
    ) -> None:
        wanted = (command.args or "").strip()
        scope = managed
        if wanted:
            scope = frozenset({wanted}) & managed if managed is not None else frozenset({wanted})
        members = await roster.members(scope)
        lines = [_("<b>Officers on the roster</b>")]
        region = None
        for officer in members:
            if officer.region != region:
                region = officer.region
                lines.append(
                    f"\n<b>{escape(view.region_name(region))}</b> (<code>{escape(region)}</code>)"
                )
            lines.append(_roster_line(officer))
        if not members:
            lines.append(_("Nobody yet. Invite with /invite region_code officer."))
        await answer_lines(message, lines)

    @router.message(Command("remove"), manages)
    async def remove(
        message: Message,
        command: CommandObject,
        managed: frozenset[str] | None,
        roster: Roster,
    ) -> None:
        region, _sep, who = (command.args or "").strip().partition(" ")
        removed = None
        if who.strip() and (managed is None or region in managed):
            removable = frozenset(Role) if managed is None else frozenset({Role.OFFICER})
            removed = await roster.remove(
                region,
                who,
                message.from_user.id,  # type: ignore[union-attr]
                removable,
            )
        if removed is None:
            await message.answer(
                _(
                    "Nobody matching on that roster. Usage: /remove region_code user_id or "
                    "/remove region_code @username; see /officers."
                )
            )
            return
        await message.answer(
            _("Removed from the roster: {person}.").format(person=person_label(removed.person))
        )

    return router


def person_label(person: Person) -> str:
    """How an officer is named to admins and heads: name, @username, Telegram id."""
    username = f", @{escape(person.username)}" if person.username else ""
    return f"{escape(visible_text(person.name))}{username}, id <code>{person.user_id}</code>"


def _roster_line(officer: Officer) -> str:
    return f"• {person_label(officer.person)}: {role_labels()[officer.role]}"


def _invite_usage(managed: frozenset[str] | None) -> str:
    if managed is None:
        return _(
            "Usage: /invite region_code officer, or /invite region_code head. Region codes: "
            "send /invite alone."
        )
    return _("Usage: /invite region_code officer, for a region you head: {regions}.").format(
        regions=", ".join(sorted(managed))
    )
