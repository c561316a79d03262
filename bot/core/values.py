"""The values a report and its case carry, as stored and as sent in buttons: the wire values never
change, so buttons already in chats keep working."""

from __future__ import annotations

from enum import StrEnum


class Occurred(StrEnum):
    NOW = "now"
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    EARLIER = "earlier"
    UNKNOWN = "unknown"


class Resolution(StrEnum):
    REFERRED = "ref"
    NOT_CONFIRMED = "nc"
    NOT_COMPETENT = "oc"
    DUPLICATE = "dup"


class CaseStatus(StrEnum):
    NEW = "new"
    """Submitted, not yet in a digest."""
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    AWAITING_REPORTER = "awaiting_reporter"
    """An officer asked the reporter a question that is not answered yet."""
    CLOSED = "closed"


UNACCEPTED = frozenset({CaseStatus.NEW, CaseStatus.DELIVERED})
"""Not accepted yet: the acceptance deadline runs."""
OPEN = UNACCEPTED | {CaseStatus.ACCEPTED, CaseStatus.AWAITING_REPORTER}
"""Every status but closed."""
