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


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def truncate_utf16(text: str, limit: int) -> str:
    """The longest prefix of at most ``limit`` UTF-16 units; never splits a character."""
    if utf16_length(text) <= limit:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text
