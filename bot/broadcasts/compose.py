"""Writing a broadcast: the admin's steps and what they keep in the FSM data between them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from aiogram.fsm.state import State, StatesGroup

from bot.broadcasts.content import Content, Version
from bot.core.records import known_fields
from storage.subscribers import Audience


class BroadcastForm(StatesGroup):
    choosing = State()
    kk = State()
    ru = State()
    audience = State()
    review = State()
    schedule = State()


VERSION_STATES = {"kk": BroadcastForm.kk, "ru": BroadcastForm.ru}


@dataclass(slots=True)
class BroadcastDraft:
    versions: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each language's version, as ``Version.to_dict`` gives it."""
    editing: bool = False
    """A version is rewritten from the review, which comes next (not the other language)."""
    audience: str | None = None
    """The audience chosen, as ``Audience.pack`` gives it."""

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> BroadcastDraft:
        return cls(**known_fields(cls, data))

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    def content(self) -> Content:
        return Content({k: Version.from_dict(v) for k, v in self.versions.items()})

    def chosen_audience(self) -> Audience:
        """Asked for by the review and the sending, which only come after the audience step."""
        if self.audience is None:
            raise KeyError("audience")
        return Audience.unpack(self.audience)
