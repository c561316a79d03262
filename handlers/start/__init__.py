"""/start (with region deep links), /help, /privacy, /language and /cancel."""

from __future__ import annotations

from aiogram import Router

from handlers.start import cancel, language, pages, welcome


def get_router() -> Router:
    router = Router(name="start")
    router.include_routers(
        welcome.get_router(), pages.get_router(), language.get_router(), cancel.get_router()
    )
    return router
