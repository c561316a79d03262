"""/status: a report's status and history by receipt code, and adding information to it.

A report being written is not lost by checking another one: its step is kept in the FSM data
(``StatusVisit``) and restored when the check ends. Which report is being checked lives in
``StatusChecks``, in memory only (bot/reports/checks.py): the FSM row under the user's pseudonym
holds the step, never the report.
"""

from __future__ import annotations

from aiogram import Router

from handlers.status import adding, answering, checking


def get_router() -> Router:
    router = Router(name="status")
    router.include_routers(checking.get_router(), adding.get_router(), answering.get_router())
    return router
