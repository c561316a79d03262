"""/stats and /export: a linked department chat sees its regions, an admin in private all.

Anyone else is not handled here, so they get the ordinary unknown-command answer.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, Filter
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.departments import DepartmentService
from bot.formatting import format_number
from bot.reports import utc_now
from bot.stats import StatsService
from bot.stats_views import stats_text
from bot.views import ViewContext

CHATS = (ChatType.PRIVATE, ChatType.GROUP, ChatType.SUPERGROUP)


class StatsScope(Filter):
    """``scope``: the chat's regions if it is a department chat (even an admin's output goes to
    its officers then), None for an admin in private; the message does not match otherwise."""

    def __init__(self, admin_ids: frozenset[int]) -> None:
        self._admin_ids = admin_ids

    async def __call__(
        self, message: Message, departments: DepartmentService
    ) -> dict[str, frozenset[str] | None] | bool:
        regions = await departments.regions_of(message.chat.id)
        if regions:
            return {"scope": frozenset(regions)}
        user = message.from_user
        if message.chat.type == ChatType.PRIVATE and user and user.id in self._admin_ids:
            return {"scope": None}
        return False


def get_router(admin_ids: frozenset[int]) -> Router:
    router = Router(name="stats")
    router.message.filter(F.chat.type.in_(CHATS), F.from_user)
    scoped = StatsScope(admin_ids)

    @router.message(Command("stats"), scoped)
    async def show_stats(
        message: Message, scope: frozenset[str] | None, stats: StatsService, view: ViewContext
    ) -> None:
        summary = await stats.summary(scope, utc_now())
        await message.answer(stats_text(summary, view))
        if summary.total:
            chart = await stats.chart(summary, view.locale)
            await message.answer_photo(BufferedInputFile(chart, filename="adal-stats.png"))

    @router.message(Command("export"), scoped)
    async def export(
        message: Message, scope: frozenset[str] | None, stats: StatsService, view: ViewContext
    ) -> None:
        requester = message.from_user.id  # type: ignore[union-attr]
        parts = await stats.export_csv(scope, view.locale, requester)
        if not parts:
            await message.answer(_("There are no cases to export."))
            return
        day = utc_now().astimezone(view.zone).date().isoformat()
        summary = _("Cases exported: {count}.").format(
            count=format_number(sum(part.cases for part in parts), view.locale)
        )
        for number, part in enumerate(parts, 1):
            name, caption = f"adal-cases-{day}.csv", summary
            if len(parts) > 1:
                name = f"adal-cases-{day}-{number}.csv"
                caption = _("{summary} File {number} of {total}.").format(
                    summary=summary, number=number, total=len(parts)
                )
            await message.answer_document(
                BufferedInputFile(part.data, filename=name), caption=caption
            )

    return router
