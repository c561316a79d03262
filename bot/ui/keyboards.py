"""Keyboard building blocks, and the keyboards every feature shows (menu, languages, pages). Labels
are translated when the keyboard is built."""

from __future__ import annotations

import unicodedata
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
# The longest labels (``label_width``) that still read whole on a phone: in a row of two or more
# buttons, and alone in a row.
HALF_ROW_CHARS = 16
FULL_ROW_CHARS = 30
# Symbols a phone draws as emoji, two places wide: misc technical (⏳ ⏸), symbols and dingbats
# (⚡ ✖ ➡), arrows and stars (⬅ ⭐), and everything from the emoji planes on.
_PICTOGRAPHS = ((0x2300, 0x23FF), (0x2600, 0x27BF), (0x2B00, 0x2BFF), (0x1F000, 0x10FFFF))
_JOINER, _EMOJI_STYLE, _TEXT_STYLE = "\u200d", "\ufe0f", "\ufe0e"


def label_width(text: str) -> int:
    """A label's width in places of a letter, as a phone shows it: an emoji or a flag takes two,
    what is drawn onto the character before (accents, skin tones, ZWJ sequences) none."""
    width, last, joined, flag_half = 0, 0, False, False
    for char in text:
        code = ord(char)
        if joined:
            joined = False
            continue
        if char == _JOINER:
            joined = True
            continue
        if char == _EMOJI_STYLE:
            width += 2 - last if last == 1 else 0
            last = 2
            continue
        if char == _TEXT_STYLE or unicodedata.category(char) in ("Mn", "Me"):
            continue
        if 0x1F3FB <= code <= 0x1F3FF:
            continue
        if 0x1F1E6 <= code <= 0x1F1FF:
            flag_half = not flag_half
            last = 2 if flag_half else 0
            width += last
            continue
        flag_half = False
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        last = 2 if wide or any(low <= code <= high for low, high in _PICTOGRAPHS) else 1
        width += last
    return width


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
    """Regions or spheres by their button labels, two a row where both fit, else alone;
    ``lead`` rows (Keep and continue, Change region) above them."""
    buttons = [
        InlineKeyboardButton(text=entry.label(locale), callback_data=kind(code=entry.code).pack())
        for entry in items
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*(lead or []), *pairs(buttons), nav_row()])


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
    return label_width(item.text) <= HALF_ROW_CHARS


def _marked(label: str) -> str:
    """The section shown: «•» in place of its icon, so that its label is no wider."""
    icon, _space, words = label.partition(" ")
    return f"• {words}" if words and not any(char.isalpha() for char in icon) else f"• {label}"


def more_privacy() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("🔒 More about privacy"), Action.PRIVACY)]]
    )


def pages(book: str, labels: dict[str, str], current: str) -> InlineKeyboardMarkup:
    """The sections of /help or /privacy, two a row; the one shown is marked."""
    buttons = [
        InlineKeyboardButton(
            text=_marked(label) if page == current else label,
            callback_data=PageCB(book=book, page=page).pack(),
        )
        for page, label in labels.items()
    ]
    return InlineKeyboardMarkup(inline_keyboard=grid(buttons, 2))
