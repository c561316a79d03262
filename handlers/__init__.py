"""aiogram routers, one module per feature, each built by its factory."""

from __future__ import annotations

from aiogram import Router

from handlers import errors, fallback, report, start, status


def get_routers() -> list[Router]:
    """In order of precedence: commands first, the catch-all answers last."""
    return [
        errors.get_router(),
        start.get_router(),
        report.get_router(),
        status.get_router(),
        fallback.get_router(),
    ]
