"""Admins: /broadcast (write or pick a template, choose the audience, preview, send or schedule),
/broadcasts (the recent ones) and the pause / resume / cancel buttons under a progress message.

The router only lets ADMIN_IDS through; anyone else gets the ordinary unknown-command answer.
"""

from __future__ import annotations

from aiogram import F, Router

from handlers.broadcast import progress, sending, versions, writing


def get_router(admin_ids: frozenset[int]) -> Router:
    router = Router(name="broadcast")
    router.message.filter(F.from_user.id.in_(admin_ids))
    router.callback_query.filter(F.from_user.id.in_(admin_ids))
    router.include_routers(
        writing.get_router(), versions.get_router(), sending.get_router(), progress.get_router()
    )
    return router
