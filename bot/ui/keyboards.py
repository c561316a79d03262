"""Inline keyboards. Button labels are translated when the keyboard is built."""

from __future__ import annotations

from itertools import chain, repeat

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.core.catalog import Catalog, Entry
from bot.ui.callbacks import (
    Action,
    ActionCB,
    AnswerCB,
    EditCB,
    Field,
    LangCB,
    NewsRegionCB,
    PageCB,
    RegionCB,
    SphereCB,
    WhenCB,
)
from bot.ui.labels import occurred_labels

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


def keep_row() -> list[InlineKeyboardButton]:
    """Forward from a step that already holds a value, keeping it."""
    return [button(_("Keep and continue ➡️"), Action.KEEP)]


def when(*, has_value: bool) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=label, callback_data=WhenCB(value=value).pack())
        for value, label in occurred_labels().items()
    ]
    keep = [keep_row()] if has_value else []
    return InlineKeyboardMarkup(inline_keyboard=[*keep, *grid(buttons, 1, 2, 2, 1), nav_row()])


def place(*, has_value: bool) -> InlineKeyboardMarkup:
    if has_value:
        rows = [keep_row(), [button(_("🗑 Clear and continue"), Action.SKIP)]]
    else:
        rows = [[button(_("Skip ➡️"), Action.SKIP)]]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, nav_row()])


def body(*, has_text: bool) -> InlineKeyboardMarkup:
    rows = []
    if has_text:
        rows.append([button(done_label(), Action.DONE)])
        rows.append([button(_("🗑 Clear the text and start again"), Action.RESTART_TEXT)])
    rows.append(nav_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


def done_label() -> str:
    return _("✅ Done")


def no_files_label() -> str:
    return _("No files, continue ➡️")


def evidence(*, has_files: bool, info: bool = True) -> InlineKeyboardMarkup:
    if has_files:
        rows = [
            [button(done_label(), Action.DONE)],
            [button(_("🗑 Remove all files"), Action.CLEAR_FILES)],
        ]
    else:
        rows = [[button(no_files_label(), Action.SKIP)]]
    if info:
        rows.append([button(_("ℹ️ Which files are safe"), Action.FILES_INFO)])
    rows.append(nav_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


def add_text() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("➕ Add"), Action.ADD_TEXT),
                button(_("No"), Action.DROP_TEXT),
            ]
        ]
    )


def start_with_text() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("📝 Yes"), Action.START_WITH_TEXT),
                button(_("No"), Action.DROP_TEXT),
            ]
        ]
    )


def confirm_cancel() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("🗑 Yes, delete"), Action.CANCEL_YES)],
            [button(_("⬅️ No, go back"), Action.CANCEL_NO)],
        ]
    )


def change_region() -> list[InlineKeyboardButton]:
    return [button(_("✏️ Change region"), Action.CHANGE_REGION)]


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


def contact() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("🔕 Yes, silently"), Action.CONTACT_YES),
                button(_("🔔 Yes, with sound"), Action.CONTACT_SOUND),
            ],
            [button(_("No"), Action.CONTACT_NO)],
            nav_row(),
        ]
    )


def review() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=label, callback_data=EditCB(field=field).pack())
        for field, label in (
            (Field.REGION, _("✏️ Region")),
            (Field.SPHERE, _("✏️ Sphere")),
            (Field.WHEN, _("✏️ When")),
            (Field.PLACE, _("✏️ Place")),
            (Field.TEXT, _("✏️ Text")),
            (Field.FILES, _("✏️ Files")),
            (Field.CONTACT, _("✏️ Questions")),
        )
    ]
    # Submit right under the text and Cancel (which asks first) rows away from it.
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("📨 Submit the report"), Action.SUBMIT)],
            *grid(buttons, 3),
            nav_row(),
        ]
    )


def answer_keyboard(question_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✍️ Answer"), callback_data=AnswerCB(question=question_id).pack()
                )
            ]
        ]
    )


def finish() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[button(done_label(), Action.DONE)]])


def clear_chat() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("🧹 Clear this chat"), Action.CLEAR_CHAT)]]
    )


def add_information() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("➕ Add information"), Action.ADD_INFO)]]
    )


NO_REGION = "-"


def news_regions(catalog: Catalog, locale: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=entry.name(locale), callback_data=NewsRegionCB(code=entry.code).pack()
        )
        for entry in catalog.regions_by_use
    ]
    whole_country = InlineKeyboardButton(
        text=_("🇰🇿 Only news for the whole country"),
        callback_data=NewsRegionCB(code=NO_REGION).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[*grid(buttons, 2), [whole_country]])
