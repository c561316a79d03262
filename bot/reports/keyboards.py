"""The report dialog's keyboards, and the reporter's buttons under /status and a question."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.ui.callbacks import Action, AnswerCB, DraftField, EditCB, WhenCB
from bot.ui.keyboards import button, grid, nav_row
from bot.ui.labels import occurred_labels


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
            (DraftField.REGION, _("✏️ Region")),
            (DraftField.SPHERE, _("✏️ Sphere")),
            (DraftField.WHEN, _("✏️ When")),
            (DraftField.PLACE, _("✏️ Place")),
            (DraftField.TEXT, _("✏️ Text")),
            (DraftField.FILES, _("✏️ Files")),
            (DraftField.CONTACT, _("✏️ Questions")),
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
