"""Keyboard building blocks, and the keyboards every feature shows (menu, languages, pages). Labels
are translated when the keyboard is built."""

from __future__ import annotations

from itertools import chain, repeat

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.core.catalog import Entry
from bot.ui.callbacks import (
    Action,
    ActionCB,
    LangCB,
    PageCB,
    RegionCB,
    SphereCB,
)

LANGUAGE_NAMES = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 Русский"}
# The longest label that still reads whole in a row of two on a phone.
HALF_ROW_CHARS = 16


def grid(buttons: list[InlineKeyboardButton], *widths: int) -> list[list[InlineKeyboardButton]]:
    """Rows of ``widths`` buttons, the last width repeated: ``InlineKeyboardBuilder.adjust``.

    Not the builder itself: it deep-copies every button already added for each one it adds, so a
    keyboard of twenty regions cost several milliseconds per message (bench/RESULTS.md).
    """
    rows, start, sizes = [], 0, chain(widths, repeat(widths[-1]))
    while start < len(buttons):
        width = next(sizes)
        rows.append(buttons[start : start + width])
        start += width
    return rows


def button(text: str, action: Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ActionCB(action=action).pack())


def nav_row(*, back: bool = True) -> list[InlineKeyboardButton]:
    row = [button(_("⬅️ Back"), Action.BACK)] if back else []
    row.append(button(_("✖️ Cancel"), Action.CANCEL))
    return row


def languages() -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(text=name, callback_data=LangCB(code=code).pack())
        for code, name in LANGUAGE_NAMES.items()
    ]


def main_menu(*, has_draft: bool) -> InlineKeyboardMarkup:
    report = _("📝 Continue my report") if has_draft else _("📝 Report corruption")
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(report, Action.NEW)],
            [button(_("🔎 Check a report by its code"), Action.STATUS)],
            [button(_("❓ Help"), Action.HELP), button(_("🔒 Privacy"), Action.PRIVACY)],
            languages(),
        ]
    )


def language_choice() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[languages()])


def entries(
    items: list[Entry],
    locale: str,
    kind: type[RegionCB] | type[SphereCB],
    *,
    lead: list[list[InlineKeyboardButton]] | None = None,
) -> InlineKeyboardMarkup:
    """Regions in two columns; spheres two a row where both short labels fit, else alone;
    ``lead`` rows (Keep and continue, Change region) above them."""
    buttons = [
        InlineKeyboardButton(text=entry.label(locale), callback_data=kind(code=entry.code).pack())
        for entry in items
    ]
    rows = grid(buttons, 2) if kind is RegionCB else pairs(buttons)
    return InlineKeyboardMarkup(inline_keyboard=[*(lead or []), *rows, nav_row()])


def pairs(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Rows of two where both labels fit half a row, in the given order; one a row otherwise."""
    rows: list[list[InlineKeyboardButton]] = []
    for item in buttons:
        last = rows[-1] if rows else None
        if last and len(last) == 1 and _fits_half(last[0]) and _fits_half(item):
            last.append(item)
        else:
            rows.append([item])
    return rows


def _fits_half(item: InlineKeyboardButton) -> bool:
    return len(item.text) <= HALF_ROW_CHARS


def more_privacy() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("🔒 More about privacy"), Action.PRIVACY)]]
    )


def pages(book: str, labels: dict[str, str], current: str) -> InlineKeyboardMarkup:
    """The sections of /help or /privacy, two a row; the one shown is marked."""
    buttons = [
        InlineKeyboardButton(
            text=f"• {label}" if page == current else label,
            callback_data=PageCB(book=book, page=page).pack(),
        )
        for page, label in labels.items()
    ]
    return InlineKeyboardMarkup(inline_keyboard=grid(buttons, 2))
