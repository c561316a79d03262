"""aiogram routers, one module per feature, each built by its factory."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin,
    broadcast,
    clear_chat,
    department_chat,
    errors,
    fallback,
    news,
    officer,
    report,
    roster,
    start,
    stats,
    status,
)


def get_routers(admin_ids: frozenset[int]) -> list[Router]:
    """In order of precedence: commands first, the catch-all answers last."""
    return [
        errors.get_router(),
        broadcast.get_router(admin_ids),
        start.get_router(),
        news.get_router(),
        roster.get_router(),
        admin.get_router(admin_ids),
        stats.get_router(),
        department_chat.get_router(),
        officer.get_router(),
        report.get_router(),
        clear_chat.get_router(),
        status.get_router(),
        fallback.get_router(),
    ]
