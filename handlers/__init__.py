"""aiogram routers, one module or package per feature, each built by its factory."""

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
    workspace,
)
from handlers.filters import private


def get_routers(admin_ids: frozenset[int]) -> list[Router]:
    """In order of precedence: errors first, commands next, the catch-all answers last.

    The routers for private chats sit under two parents, since officers' routers, which also work
    in groups, must come between them: an officer's private reply to an Ask prompt goes to
    ``officer``, not to ``report``'s typed story; an admin's ``/unlink region`` to ``admin``, not
    to ``officer``. The admins' routers filter their users each (``roster``'s personal /invite
    comes before ``admin``'s).
    """
    return [
        errors.get_router(),
        private(
            "commands",
            broadcast.get_router(admin_ids),
            start.get_router(),
            news.get_router(),
            roster.get_router(),
            workspace.get_router(),
            admin.get_router(admin_ids),
        ),
        stats.get_router(),
        department_chat.get_router(),
        officer.get_router(),
        private(
            "citizen",
            report.get_router(),
            clear_chat.get_router(),
            status.get_router(),
            fallback.get_router(),
        ),
    ]
