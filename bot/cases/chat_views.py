"""What a department chat reads about itself: its language choice and its list of open cases."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.core.deadlines import Deadlines, Urgency
from bot.core.values import CaseStatus
from bot.ui.callbacks import ChatLangCB, OpenAction, OpenCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment, format_number
from bot.ui.keyboards import LANGUAGE_NAMES, grid
from storage.cases import CaseRow

PAGE_SIZE = 10
NUMBERS_PER_ROW = 5
MARKS = {Urgency.OVERDUE: "⏰", Urgency.DUE: "⏳"}


def chat_language_keyboard(by: str = "") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=name, callback_data=ChatLangCB(code=code, by=by).pack())
                for code, name in LANGUAGE_NAMES.items()
            ]
        ]
    )


def chat_language_question() -> str:
    return _(
        "Which language for this chat? Cards, digests, buttons and the bot's answers here will "
        "all be in it, whoever presses."
    )


def chat_language_set(locale: str, regions: list[str]) -> str:
    return _(
        "Language of this chat: {language}\nRegions: {regions}\nTo change it, send /language."
    ).format(language=LANGUAGE_NAMES[locale], regions=escape(", ".join(regions)))


def open_status_labels() -> dict[str, str]:
    """An open case's status in a line of /open: what an officer still has to do."""
    return {
        CaseStatus.NEW: _("not accepted yet"),
        CaseStatus.DELIVERED: _("not accepted yet"),
        CaseStatus.ACCEPTED: _("accepted"),
        CaseStatus.AWAITING_REPORTER: _("waiting for the reporter's answer"),
    }


def short_sphere(name: str) -> str:
    """A sphere's name without its explanation in brackets: «Police (internal affairs)»."""
    return name.split(" (", 1)[0]


def open_cases_page(
    cases: list[CaseRow], page: int, ctx: ViewContext, deadlines: Deadlines, now: datetime
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the list (``page`` from 0, clamped), one line and one button per case."""
    if not cases:
        return _("No open cases here."), None
    pages = (len(cases) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = cases[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    title = _("📂 <b>Open cases: {count}</b>, the nearest deadline first.").format(
        count=format_number(len(cases), ctx.locale)
    )
    if pages > 1:
        title += "\n" + _("Page {page} of {pages}.").format(page=page + 1, pages=pages)
    lines = [title, ""]
    lines += [_case_line(case, ctx, deadlines, now) for case in shown]
    lines += ["", _("Press a number to bring its card back here.")]
    buttons = [
        InlineKeyboardButton(
            text=f"№ {case.case_no}",
            callback_data=OpenCB(action=OpenAction.CARD, arg=case.id).pack(),
        )
        for case in shown
    ]
    rows = grid(buttons, NUMBERS_PER_ROW)
    turns = []
    if page > 0:
        turns.append(_page_button("◀️", page - 1))
    if page < pages - 1:
        turns.append(_page_button("▶️", page + 1))
    if turns:
        rows.append(turns)
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _case_line(case: CaseRow, ctx: ViewContext, deadlines: Deadlines, now: datetime) -> str:
    sphere = ctx.catalog.category(case.category)
    deadline = deadlines.of(case)
    urgency = deadlines.urgency(case, now)
    return _("{mark} № {number} · {sphere} · due {due} · {status}").format(
        mark=MARKS.get(urgency, "•") if urgency else "•",
        number=case.case_no,
        sphere=escape(short_sphere(sphere.name(ctx.locale)) if sphere else case.category),
        due=format_moment(deadline, ctx.zone, ctx.locale) if deadline else "—",
        status=open_status_labels().get(case.status, case.status),
    )


def _page_button(text: str, page: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=OpenCB(action=OpenAction.PAGE, arg=str(page)).pack()
    )
