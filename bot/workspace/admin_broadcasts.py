"""Broadcasts in the admin section: the recent ones with their progress, and the same controls
as the buttons under a progress message (``handlers/broadcast/progress.py``). Admins only."""

from __future__ import annotations

from datetime import datetime
from html import unescape
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.broadcasts.service import BroadcastService, Tally
from bot.broadcasts.views import audience_name, controls, status_line
from bot.ui.callbacks import Control
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment, format_number
from storage.broadcasts import BroadcastRow
from storage.subscribers import Audience


async def recent(service: BroadcastService, ctx: ViewContext) -> list[dict[str, Any]]:
    """As /broadcasts lists them, newest first; see ``item``."""
    return [item(row, await service.tally(row), ctx) for row in await service.recent()]


async def control(
    service: BroadcastService, broadcast_id: int, action: str, ctx: ViewContext
) -> dict[str, Any] | None:
    """Pause, resume or cancel: the broadcast as it is then, or None for no such broadcast or
    action; ``{"inactive": True}`` beside the item when its state does not allow it."""
    row = await service.get(broadcast_id)
    if row is None or action not in set(Control):
        return None
    changed = await service.control(broadcast_id, Control(action))
    if changed is None:
        return {"inactive": True, "broadcast": item(row, await service.tally(row), ctx)}
    return {"inactive": False, "broadcast": item(changed, await service.tally(changed), ctx)}


def item(row: BroadcastRow, tally: Tally, ctx: ViewContext) -> dict[str, Any]:
    """``id``, ``created``, ``audience``, ``status`` (and ``status_label``), the counts
    ``total``, ``sent``, ``blocked``, ``failed`` (the unconfirmed included, as /broadcasts
    counts them), ``remaining``, ``progress`` (a line of them) and ``controls``
    ([{"action", "label"}])."""
    number = ctx.locale
    failed = tally.failed + tally.unconfirmed
    return {
        "id": row.id,
        "created": format_moment(datetime.fromisoformat(row.created_at), ctx.zone, ctx.locale),
        "audience": unescape(audience_name(Audience.unpack(row.audience), ctx)),
        "status": row.status.value,
        "status_label": status_line(row, ctx),
        "total": tally.total,
        "sent": tally.sent,
        "blocked": tally.blocked,
        "failed": failed,
        "remaining": tally.remaining,
        "progress": _(
            "Sent {sent} · blocked {blocked} · failed {failed} · remaining {remaining}"
        ).format(
            sent=format_number(tally.sent, number),
            blocked=format_number(tally.blocked, number),
            failed=format_number(failed, number),
            remaining=format_number(tally.remaining, number),
        ),
        "controls": [
            {"action": action.value, "label": label} for action, label in controls(row).items()
        ],
    }
