"""The report being written: what the dialog keeps in the (sealed) FSM data between steps."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from aiogram.fsm.state import State, StatesGroup

from bot.core.clock import new_id
from bot.core.records import known_fields
from bot.reports.service import Submission

MIN_BODY_CHARS = 20
MAX_BODY_CHARS = 8000
MAX_PLACE_CHARS = 500


class ReportForm(StatesGroup):
    region = State()
    sphere = State()
    when = State()
    place = State()
    body = State()
    evidence = State()
    contact = State()
    review = State()


STEPS: tuple[State, ...] = (
    ReportForm.region,
    ReportForm.sphere,
    ReportForm.when,
    ReportForm.place,
    ReportForm.body,
    ReportForm.evidence,
    ReportForm.contact,
    ReportForm.review,
)
QUESTION_STEPS = len(STEPS) - 1


@dataclass(slots=True)
class Draft:
    draft_id: str = field(default_factory=new_id)
    region: str | None = None
    sphere: str | None = None
    occurred: str | None = None
    place: str | None = None
    body: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    contact: bool = False
    silent: bool = True
    editing: bool = False
    linked_region: bool = False
    pending: list[str] = field(default_factory=list)
    receipt: str | None = None
    last_update: int = 0

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        return cls(**known_fields(cls, data))

    @staticmethod
    def started_in(data: dict[str, Any]) -> str | None:
        """The id of the draft that FSM data holds, if it holds one."""
        return data.get("draft_id")

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    def is_new(self, update_id: int) -> bool:
        """False for an update already applied: after a crash Telegram delivers it again."""
        if update_id <= self.last_update:
            return False
        self.last_update = update_id
        return True

    def fits(self, text: str) -> bool:
        """Whether ``text`` can join the description without passing its limit."""
        separator = 2 if self.body else 0
        return self.body_length + separator + len(text) <= MAX_BODY_CHARS

    def take_pending(self) -> bool:
        """Move the text kept aside into the description; False if it does not fit."""
        text = "\n\n".join(self.pending)
        if not self.fits(text):
            return False
        if text:
            self.body.append(text)
        self.pending = []
        return True

    @property
    def has_content(self) -> bool:
        """Anything the user gave (a region from a link is not theirs): Cancel asks first."""
        given = (self.sphere, self.occurred, self.place, self.body, self.files, self.pending)
        return any(given) or bool(self.region and not self.linked_region)

    def value_at(self, step: State) -> object:
        """What a skippable or button step already holds, for «Keep and continue»."""
        return {
            ReportForm.region.state: self.region,
            ReportForm.sphere.state: self.sphere,
            ReportForm.when.state: self.occurred,
            ReportForm.place.state: self.place,
        }.get(step.state)

    @property
    def urgent(self) -> bool:
        return self.occurred == "now"

    @property
    def is_complete(self) -> bool:
        return bool(self.region and self.sphere and len(self.body_text) >= MIN_BODY_CHARS)

    def submission(self, chat_id: int | None, locale: str) -> Submission:
        """What the report service stores; the chat address only if the reporter opted in."""
        if not self.is_complete or self.receipt is None:
            raise ValueError("an incomplete draft cannot be submitted")
        return Submission(
            draft_id=self.draft_id,
            receipt_code=self.receipt,
            region=self.region or "",
            category=self.sphere or "",
            occurred=self.occurred or "unknown",
            place=self.place,
            body=self.body_text,
            contact_chat_id=chat_id if self.contact else None,
            locale=locale,
            urgent=self.urgent,
            silent=self.silent,
        )

    @property
    def body_text(self) -> str:
        return "\n\n".join(self.body)

    @property
    def body_length(self) -> int:
        return len(self.body_text)


def step_number(step: State) -> int:
    return STEPS.index(step) + 1


def previous_step(step: State) -> State | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def next_step(step: State, draft: Draft) -> State:
    """After a step: the review when editing from it, otherwise the following step."""
    if draft.editing:
        return ReportForm.review
    return STEPS[STEPS.index(step) + 1]


def step_by_name(name: str | None) -> State | None:
    return next((step for step in STEPS if step.state == name), None)
