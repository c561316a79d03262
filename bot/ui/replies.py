"""Showing a screen: edit the message a button was pressed on, or answer a typed message."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.ui.textsplit import pack_lines

Event = Message | CallbackQuery


async def present(event: Event, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Replace the screen a button was pressed on; answer a typed message with a new one."""
    if isinstance(event, CallbackQuery):
        await event.answer()
        if isinstance(event.message, Message):
            try:
                await event.message.edit_text(text, reply_markup=markup)
            except TelegramBadRequest as exc:
                if _unchanged(exc):
                    return
            else:
                return
    await send(event, text, markup)


async def edit_markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the buttons under the message a button was pressed on."""
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest as exc:
            if not _unchanged(exc):
                raise


def _unchanged(error: TelegramBadRequest) -> bool:
    """Telegram refuses an edit that changes nothing: the screen is already as wanted."""
    return "message is not modified" in error.message


async def send(
    event: Event, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """A new message in the chat the event came from."""
    if isinstance(event, Message):
        return await event.answer(text, reply_markup=markup)
    if event.message is not None and event.bot is not None:
        return await event.bot.send_message(event.message.chat.id, text, reply_markup=markup)
    return None


async def notice(event: Event, text: str) -> None:
    """A short remark: a toast for a button, a message for typed input."""
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=len(text) > 60)
    else:
        await event.answer(text)


async def answer_lines(message: Message, lines: list[str]) -> None:
    """A list that may outgrow one message (an audit grows with its case, a roster with its
    department), sent in whole lines."""
    for part in pack_lines(lines):
        await message.answer(part)
