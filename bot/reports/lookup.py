"""/status's lookup: a typed receipt code, slowed down against guessing, opens its report for
this person's check (kept in memory, bot.reports.checks)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.core import receipt
from bot.core.deadlines import Deadlines
from bot.reports.checks import StatusChecks
from bot.reports.service import ReportService, StatusView
from bot.security.guard import ReceiptGuard


class Questions(Protocol):
    """Where the questions to a reporter are (``bot.cases.service.CaseService``: cases build on
    reports, so reports name no case module)."""

    async def open_questions(self, report_id: str) -> list[tuple[str, str]]: ...


class Refusal(StrEnum):
    UNREADABLE = "unreadable"
    """Not a receipt code at all: a typo, not a guess, so it is not counted."""
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Wait:
    """Too many wrong codes: nothing is looked up for ``seconds``."""

    seconds: int


@dataclass(frozen=True, slots=True)
class Found:
    report: StatusView
    questions: list[tuple[str, str]]
    """(question id, text) of the questions the reporter has not answered yet."""


class StatusLookup:
    def __init__(
        self,
        *,
        reports: ReportService,
        guard: ReceiptGuard,
        questions: Questions,
        checks: StatusChecks,
        deadlines: Deadlines,
    ) -> None:
        self._reports = reports
        self._guard = guard
        self._questions = questions
        self._checks = checks
        self.deadlines = deadlines
        """The rules the report's status is shown with (when it must be accepted, answered)."""

    async def open(self, user_key: bytes, text: str) -> Found | Refusal | Wait:
        """The report ``text`` names, now the one this person's check is about."""
        wait = await self._guard.wait_seconds(user_key)
        if wait:
            return Wait(wait)
        code = receipt.parse(text)
        if code is None:
            return Refusal.UNREADABLE
        found = await self._reports.lookup(code)
        if found is None:
            await self._guard.failed(user_key)
            return Refusal.UNKNOWN
        await self._guard.succeeded(user_key)
        self._checks.start(user_key, found.report_id)
        return Found(found, await self._questions.open_questions(found.report_id))
