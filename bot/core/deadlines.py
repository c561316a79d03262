"""When a case must be accepted, and answered; which cases are due soon or overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.core.values import UNACCEPTED, CaseStatus

DUE_SOON = timedelta(days=2)


class Dated(Protocol):
    """What deadlines need of a case (``storage.cases.CaseRow`` has it)."""

    @property
    def status(self) -> str: ...

    @property
    def created_at(self) -> str: ...


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE = "due"


@dataclass(frozen=True, slots=True)
class Deadlines:
    ack_days: int
    answer_days: int

    def of(self, case: Dated) -> datetime | None:
        return self.at(case.status, datetime.fromisoformat(case.created_at))

    def acceptance(self, submitted: datetime) -> datetime:
        """By when a report submitted at ``submitted`` must be accepted, as its card will say:
        the report keeps its time to the hour (bot/reports/service.py)."""
        hour = submitted.replace(minute=0, second=0, microsecond=0)
        return hour + timedelta(days=self.ack_days)

    def answer(self, created: datetime) -> datetime:
        """By when a case received at ``created`` must be answered (closed)."""
        return created + timedelta(days=self.answer_days)

    def at(self, status: str, created: datetime) -> datetime | None:
        """Acceptance is due first, then the answer; a closed case has no deadline."""
        if status in UNACCEPTED:
            return created + timedelta(days=self.ack_days)
        if status in (CaseStatus.ACCEPTED, CaseStatus.AWAITING_REPORTER):
            return self.answer(created)
        return None

    def urgency(self, case: Dated, now: datetime) -> Urgency | None:
        deadline = self.of(case)
        if deadline is None:
            return None
        if deadline < now:
            return Urgency.OVERDUE
        if deadline - now <= DUE_SOON:
            return Urgency.DUE
        return None
