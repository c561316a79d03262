"""Callback data of every button family. Handlers check the values again: data is forgeable."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.core.values import Occurred


class Action(StrEnum):
    NEW = "new"
    STATUS = "status"
    HELP = "help"
    PRIVACY = "privacy"
    BACK = "back"
    SKIP = "skip"
    DONE = "done"
    RESTART_TEXT = "retext"
    CLEAR_FILES = "clrfiles"
    CONTACT_YES = "cyes"
    """Questions allowed, the bot's messages silent; ``CONTACT_SOUND``: with sound."""
    CONTACT_SOUND = "csound"
    CONTACT_NO = "cno"
    SUBMIT = "submit"
    CANCEL = "cancel"
    ADD_INFO = "addinfo"
    CLEAR_CHAT = "clrchat"
    KEEP = "keep"
    CHANGE_REGION = "chregion"
    CANCEL_YES = "cxyes"
    CANCEL_NO = "cxno"
    FILES_INFO = "filesinfo"
    START_WITH_TEXT = "txstart"
    ADD_TEXT = "txadd"
    DROP_TEXT = "txdrop"


class DraftField(StrEnum):
    REGION = "region"
    SPHERE = "sphere"
    WHEN = "when"
    PLACE = "place"
    TEXT = "text"
    FILES = "files"
    CONTACT = "contact"


class LangCB(CallbackData, prefix="lang"):
    code: str


class RegionCB(CallbackData, prefix="rg"):
    code: str


class SphereCB(CallbackData, prefix="sp"):
    code: str


class WhenCB(CallbackData, prefix="wh"):
    value: Occurred


class ActionCB(CallbackData, prefix="do"):
    action: Action


class EditCB(CallbackData, prefix="ed"):
    field: DraftField


class PageCB(CallbackData, prefix="pg"):
    """A page of /help or /privacy; ``book`` is which of the two."""

    book: str
    page: str


class CaseAction(StrEnum):
    ACCEPT = "acc"
    ASK = "ask"
    CLOSE = "cls"
    RESOLVE = "res"
    CONFIRM = "ok"
    MOVE = "mov"
    MOVE_TO = "to"
    BACK = "bk"
    UNDO = "un"


class AnswerCB(CallbackData, prefix="rp"):
    """The reporter's Answer button under a question; ``question`` is its random id."""

    question: str


class CaseCB(CallbackData, prefix="cs"):
    """An officer's button on a case card; ``case`` is the report's random id."""

    action: CaseAction
    case: str
    arg: str = ""


class ComposeAction(StrEnum):
    """Buttons of an admin's broadcast draft."""

    TEMPLATE = "tpl"
    OWN = "own"
    AUDIENCE = "aud"
    EDIT = "edit"
    SEND = "send"
    SCHEDULE = "sch"
    AT = "at"
    """A quick choice of moment; ``arg`` is its Unix time."""
    CANCEL = "x"


class ComposeCB(CallbackData, prefix="bd"):
    action: ComposeAction
    arg: str = ""


class Control(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"


class ControlCB(CallbackData, prefix="bc"):
    """A button under a broadcast's progress message."""

    action: Control
    broadcast: int


class NewsRegionCB(CallbackData, prefix="nr"):
    """A subscriber's choice of region for local news; ``-`` for none."""

    code: str


class ChatLangCB(CallbackData, prefix="cl"):
    """The language of a department chat; ``by`` is a keyed tag of the person who linked it
    (empty under /language), so that they may choose without being on a roster yet."""

    code: str
    by: str = ""


class OpenAction(StrEnum):
    CARD = "card"
    PAGE = "page"


class OpenCB(CallbackData, prefix="op"):
    """A button under /open: a case's card again (``arg``: its random id), or a page."""

    action: OpenAction
    arg: str
