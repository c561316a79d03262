"""A CSV export sent through the bot to the requester's private chat: /export's and the
workspace's, the same files, captions and audit entry."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _

from bot.core.clock import utc_now
from bot.stats.service import StatsService
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number


async def send_export(
    bot: Bot,
    stats: StatsService,
    requester: int,
    regions: frozenset[str] | None,
    ctx: ViewContext,
) -> None:
    """The cases of ``regions`` (None: all) as CSV files to ``requester``'s private chat, in the
    current language; the export is audited under the requester (``StatsService.export_csv``)."""
    parts = await stats.export_csv(regions, ctx.locale, requester)
    if not parts:
        await bot.send_message(requester, _("There are no cases to export."))
    day = utc_now().astimezone(ctx.zone).date().isoformat()
    summary = _("Cases exported: {count}.").format(
        count=format_number(sum(part.cases for part in parts), ctx.locale)
    )
    for number, part in enumerate(parts, 1):
        name, caption = f"adal-cases-{day}.csv", summary
        if len(parts) > 1:
            name = f"adal-cases-{day}-{number}.csv"
            caption = _("{summary} File {number} of {total}.").format(
                summary=summary, number=number, total=len(parts)
            )
        await bot.send_document(
            requester, BufferedInputFile(part.data, filename=name), caption=caption
        )
