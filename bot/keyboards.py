"""Inline keyboards. Button labels are translated when the keyboard is built."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

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
    builder = InlineKeyboardBuilder()
    for entry in items:
        builder.button(text=entry.name(locale), callback_data=kind(code=entry.code))
    builder.adjust(2 if kind is RegionCB else 1)
    builder.row(*nav_row())
    return builder.as_markup()


def when() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value, label in occurred_labels().items():
        builder.button(text=label, callback_data=WhenCB(value=value))
    builder.adjust(1, 2, 2, 1)
    builder.row(*nav_row())
    return builder.as_markup()


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
            [button(_("Yes, they may ask me"), Action.CONTACT_YES)],
            [button(_("No"), Action.CONTACT_NO)],
            nav_row(),
        ]
    )


def review() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for field, label in (
        (Field.REGION, _("✏️ Region")),
        (Field.SPHERE, _("✏️ Sphere")),
        (Field.WHEN, _("✏️ When")),
        (Field.PLACE, _("✏️ Place")),
        (Field.TEXT, _("✏️ Text")),
        (Field.FILES, _("✏️ Files")),
        (Field.CONTACT, _("✏️ Questions")),
    ):
        builder.button(text=label, callback_data=EditCB(field=field))
    builder.adjust(2)
    builder.row(button(_("📨 Submit the report"), Action.SUBMIT))
    builder.row(*nav_row())
    return builder.as_markup()


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


def add_information() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("➕ Add information"), Action.ADD_INFO)]]
    )


NO_REGION = "-"


def news_regions(catalog: Catalog, locale: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for entry in catalog.regions:
        builder.button(text=entry.name(locale), callback_data=NewsRegionCB(code=entry.code))
    builder.adjust(2)
    builder.row(
        InlineKeyboardButton(
            text=_("🇰🇿 Only news for the whole country"),
            callback_data=NewsRegionCB(code=NO_REGION).pack(),
        )
    )
    return builder.as_markup()
