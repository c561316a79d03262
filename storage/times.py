"""Coarse times: what a row keeps when the exact moment could tie a person to a report.

A time kept to the hour says no more than "some time in that hour"; every report, draft and
message of that hour shares it.
"""

from __future__ import annotations

from datetime import datetime

HOUR = 3600.0


def to_hour(moment: float) -> float:
    """A Unix time, floored to the hour."""
    return moment - moment % HOUR


def iso_hour(moment: datetime) -> str:
    """An aware datetime as ISO text, floored to the hour."""
    return moment.replace(minute=0, second=0, microsecond=0).isoformat()
