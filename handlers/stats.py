"""/stats and /export, for the people on a department's roster and for admins.

In a linked department chat, a person on the roster sees the chat's regions that are theirs (an
admin all of the chat's); anyone else there is told that only the department's officers can do
this, and nothing is computed. In a private chat an admin sees every region, a person on the
roster their regions; others get the ordinary unknown-command answer, and unlinked groups
nothing. An export is never sent into a group: it goes to the requester's private chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, Filter
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.core.clock import utc_now
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.stats.export import send_export
from bot.stats.service import StatsService
from bot.stats.views import chart_caption, stats_lines
from bot.ui.context import ViewContext
from bot.ui.replies import answer_lines
from handlers.gate import act_as_yourself, only_officers, own_account, refuse

CHATS = (ChatType.PRIVATE, ChatType.GROUP, ChatType.SUPERGROUP)


class StatsScope(Filter):
    """``scope``: the regions the chat is about (its linked regions, or for a person in
    private their roster's), None for an admin in private; no match for anyone else."""

    async def __call__(
        self, message: Message, departments: DepartmentService, roster: Roster
    ) -> dict[str, frozenset[str] | None] | bool:
        regions = await departments.regions_of(message.chat.id)
        if regions:
            return {"scope": frozenset(regions)}
        if message.chat.type != ChatType.PRIVATE or message.from_user is None:
            return False
        user = message.from_user.id
        if roster.is_admin(user):
            return {"scope": None}
        mine = await roster.roles(user)
        return {"scope": frozenset(mine)} if mine else False


@dataclass(frozen=True, slots=True)
class Allowed:
    regions: frozenset[str] | None
    """None: every region (an admin in private)."""


async def permitted(
    message: Message, scope: frozenset[str] | None, roster: Roster
) -> Allowed | None:
    """The regions this sender may see here, at this moment; None (and told why) if none."""
    if not own_account(message):
        await refuse(message, act_as_yourself())
        return None
    user = message.from_user.id  # type: ignore[union-attr]
    if scope is None or roster.is_admin(user):
        return Allowed(scope)
    allowed = scope & set(await roster.roles(user))
    if not allowed:
        await refuse(message, only_officers())
        return None
    return Allowed(frozenset(allowed))


def get_router() -> Router:
    router = Router(name="stats")
    router.message.filter(F.chat.type.in_(CHATS), F.from_user)
    scoped = StatsScope()

    @router.message(Command("stats"), scoped)
    async def show_stats(
        message: Message,
        scope: frozenset[str] | None,
        stats: StatsService,
        roster: Roster,
        view: ViewContext,
    ) -> None:
        allowed = await permitted(message, scope, roster)
        if allowed is None:
            return
        summary = await stats.summary(allowed.regions, utc_now())
        # Drawn before the text goes, so the chart follows it at once, captioned.
        chart = await stats.chart(summary, view.locale) if summary.total else None
        await answer_lines(message, stats_lines(summary, view))
        if chart is not None:
            await message.answer_photo(
                BufferedInputFile(chart, filename="adal-stats.png"),
                caption=chart_caption(summary, view),
            )

    @router.message(Command("export"), scoped)
    async def export(
        message: Message,
        scope: frozenset[str] | None,
        stats: StatsService,
        roster: Roster,
        view: ViewContext,
        bot: Bot,
    ) -> None:
        allowed = await permitted(message, scope, roster)
        if allowed is None:
            return
        requester = message.from_user.id  # type: ignore[union-attr]
        in_group = message.chat.type != ChatType.PRIVATE
        if in_group:
            try:
                await bot.send_message(requester, _("📤 The export you asked for in a group:"))
            except (TelegramForbiddenError, TelegramBadRequest):
                await message.answer(
                    _(
                        "The export goes only to a private chat. Start a private chat with the "
                        "bot first (open it and press Start), then send /export here again."
                    )
                )
                return
        await send_export(bot, stats, requester, allowed.regions, view)
        if in_group:
            await message.answer(_("Sent to you in a private chat."))

    return router
