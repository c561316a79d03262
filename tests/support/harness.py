"""Drive the real Dispatcher with updates built like Telegram's, through a mocked session."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    PhotoSize,
    Sticker,
    Update,
    User,
    VideoNote,
    Voice,
)

from bot.app import Services
from tests.support.mocked import BOT_USER, MockedSession

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


class Citizen:
    """One Telegram user talking to the bot in a chat (private unless a group chat is given)."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, user: User, chat: Chat | None = None
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.user = user
        self.chat = chat or Chat(id=user.id, type="private", first_name=user.first_name)

    @property
    def session(self) -> MockedSession:
        return self.bot.session  # type: ignore[return-value]

    async def _feed(self, **event: Any) -> list[TelegramMethod[Any]]:
        start = len(self.session.requests)
        await self.dispatcher.feed_update(self.bot, Update(update_id=next(_update_ids), **event))
        return self.session.requests[start:]

    def _message(self, **content: Any) -> Message:
        return Message(
            message_id=next(_message_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user,
            **content,
        )

    async def say(self, text: str) -> list[TelegramMethod[Any]]:
        entities = None
        if text.startswith("/"):
            length = len(text.split()[0])
            entities = [MessageEntity(type="bot_command", offset=0, length=length)]
        return await self._feed(message=self._message(text=text, entities=entities))

    async def press(self, data: str, message_id: int = 1) -> list[TelegramMethod[Any]]:
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=BOT_USER,
            text="…",
        )
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.user,
            chat_instance="ci",
            message=message,
            data=data,
        )
        return await self._feed(callback_query=query)

    async def photo(
        self,
        data: bytes,
        size: int | None = None,
        caption: str | None = None,
        file_id: str | None = None,
    ) -> list[TelegramMethod[Any]]:
        """A photo; the same ``file_id`` again is the same file sent again."""
        file_id = file_id or f"photo{next(_message_ids)}"
        self.session.files[file_id] = data
        sizes = [
            PhotoSize(
                file_id=file_id,
                file_unique_id=file_id,
                width=800,
                height=600,
                file_size=size or len(data),
            )
        ]
        return await self._feed(message=self._message(photo=sizes, caption=caption))

    async def document(
        self, data: bytes, name: str = "scan.pdf", size: int | None = None
    ) -> list[TelegramMethod[Any]]:
        file_id = f"doc{next(_message_ids)}"
        self.session.files[file_id] = data
        document = Document(
            file_id=file_id,
            file_unique_id=file_id,
            file_name=name,
            mime_type="application/pdf",
            file_size=size or len(data),
        )
        return await self._feed(message=self._message(document=document))

    async def voice(self, data: bytes) -> list[TelegramMethod[Any]]:
        file_id = f"voice{next(_message_ids)}"
        self.session.files[file_id] = data
        voice = Voice(file_id=file_id, file_unique_id=file_id, duration=3, file_size=len(data))
        return await self._feed(message=self._message(voice=voice))

    async def video_note(self, data: bytes) -> list[TelegramMethod[Any]]:
        """A round video message; its bytes can be fetched, so a getFile made for it would work."""
        file_id = f"round{next(_message_ids)}"
        self.session.files[file_id] = data
        note = VideoNote(
            file_id=file_id, file_unique_id=file_id, length=240, duration=4, file_size=len(data)
        )
        return await self._feed(message=self._message(video_note=note))

    async def sticker(self) -> list[TelegramMethod[Any]]:
        sticker = Sticker(
            file_id="st",
            file_unique_id="st",
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
        )
        return await self._feed(message=self._message(sticker=sticker))


def texts(requests: list[TelegramMethod[Any]]) -> list[str]:
    """What the user saw: messages sent or edited, and button toasts."""
    shown = []
    for request in requests:
        if isinstance(request, SendMessage | EditMessageText) or (
            isinstance(request, AnswerCallbackQuery) and request.text
        ):
            shown.append(request.text)
    return shown


def last_markup(requests: list[TelegramMethod[Any]]) -> InlineKeyboardMarkup | None:
    for request in reversed(requests):
        if isinstance(request, SendMessage | EditMessageText):
            markup = request.reply_markup
            return markup if isinstance(markup, InlineKeyboardMarkup) else None
    return None


def buttons(requests: list[TelegramMethod[Any]]) -> dict[str, str]:
    """Callback data by label, of the last keyboard shown."""
    markup = last_markup(requests)
    if markup is None:
        return {}
    return {
        button.text: button.callback_data or "" for row in markup.inline_keyboard for button in row
    }


async def snapshot(services: Services) -> dict[str, list[str]]:
    """Every row of every table, comparable before and after."""
    return {
        table: sorted(
            repr(tuple(row)) for row in await services.database.fetchall(f"SELECT * FROM {table}")
        )
        for table in await services.database.tables()
    }
