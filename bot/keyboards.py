"""Inline keyboards. Button labels are translated when the keyboard is built."""

from __future__ import annotations

from itertools import chain, repeat

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import (
    Action,
    ActionCB,
    AnswerCB,
    EditCB,
    Field,
    LangCB,
    NewsRegionCB,
    RegionCB,
    SphereCB,
    WhenCB,
)
from bot.catalog import Catalog, Entry
from bot.labels import occurred_labels

LANGUAGE_NAMES = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 Русский"}


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
    items: list[Entry], locale: str, kind: type[RegionCB] | type[SphereCB]
) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=entry.name(locale), callback_data=kind(code=entry.code).pack())
        for entry in items
    ]
    rows = grid(buttons, 2 if kind is RegionCB else 1)
    return InlineKeyboardMarkup(inline_keyboard=[*rows, nav_row()])


def when() -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=label, callback_data=WhenCB(value=value).pack())
        for value, label in occurred_labels().items()
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*grid(buttons, 1, 2, 2, 1), nav_row()])


def place() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[button(_("Skip ➡️"), Action.SKIP)], nav_row()])


def body(*, has_text: bool) -> InlineKeyboardMarkup:
    rows = []
    if has_text:
        rows.append([button(_("✅ Done"), Action.DONE)])
        rows.append([button(_("🗑 Clear the text and start again"), Action.RESTART_TEXT)])
    rows.append(nav_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


def evidence(*, has_files: bool) -> InlineKeyboardMarkup:
    if has_files:
        rows = [
            [button(_("✅ Done"), Action.DONE)],
            [button(_("🗑 Remove all files"), Action.CLEAR_FILES)],
        ]
    else:
        rows = [[button(_("No files, continue ➡️"), Action.SKIP)]]
    rows.append(nav_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


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
    return InlineKeyboardMarkup(
        inline_keyboard=[
            *grid(buttons, 2),
            [button(_("📨 Submit the report"), Action.SUBMIT)],
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
    return InlineKeyboardMarkup(inline_keyboard=[[button(_("✅ Done"), Action.DONE)]])


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
        for entry in catalog.regions
    ]
    whole_country = InlineKeyboardButton(
        text=_("🇰🇿 Only news for the whole country"),
        callback_data=NewsRegionCB(code=NO_REGION).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[*grid(buttons, 2), [whole_country]])
