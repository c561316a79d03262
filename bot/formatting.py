"""Dates and numbers in the reader's language, through Babel."""

from __future__ import annotations

from datetime import datetime, tzinfo

from babel.dates import format_date, format_time
from babel.numbers import format_decimal


def format_moment(moment: datetime, zone: tzinfo, locale: str) -> str:
    local = moment.astimezone(zone)
    return (
        f"{format_date(local, 'long', locale=locale)}, {format_time(local, 'short', locale=locale)}"
    )


def format_number(value: int, locale: str) -> str:
    return format_decimal(value, locale=locale)
