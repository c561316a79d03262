"""The /status flow's states and what it keeps in the FSM data: only the report being written
underneath it, and the step to resume that report at. Which report is checked is never stored
(bot/reports/checks.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State, StatesGroup


class StatusForm(StatesGroup):
    code = State()
    viewing = State()
    adding = State()
    answering = State()


@dataclass(slots=True)
class StatusVisit:
    resume: str | None = None
    """The report step the user was at when the check began (stored as ``resume``)."""
    draft: dict[str, Any] = field(default_factory=dict)
    """The rest of the FSM data: the report draft, kept as it was."""

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> StatusVisit:
        draft = dict(data)
        return cls(draft.pop("resume", None), draft)

    def to_data(self) -> dict[str, Any]:
        return self.draft if self.resume is None else {**self.draft, "resume": self.resume}
