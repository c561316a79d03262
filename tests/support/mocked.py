"""A Bot whose session answers every method locally and records what was sent (no network)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, File, Message, User

BOT_ID = 42
BOT_USER = User(id=BOT_ID, is_bot=True, first_name="Adal", username="adal_test_bot")


@dataclass
class MockedSession(BaseSession):
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[TelegramMethod[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1000)

    async def close(self) -> None:
        pass

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        returning = method.__returning__
        if returning is bool:
            return True  # type: ignore[return-value]
        if returning is File:
            file_id = method.file_id  # type: ignore[attr-defined]
            data = self.files[file_id]
            return File(
                file_id=file_id, file_unique_id=file_id, file_size=len(data), file_path=file_id
            )  # type: ignore[return-value]
        if returning in (Message, Message | bool):
            chat_id = getattr(method, "chat_id", None) or 0
            return Message(  # type: ignore[return-value]
                message_id=getattr(method, "message_id", None) or next(self._ids),
                date=datetime.now(UTC),
                chat=Chat(id=chat_id, type="private"),
                from_user=BOT_USER,
                text=getattr(method, "text", None),
            )
        if returning is User:
            return BOT_USER  # type: ignore[return-value]
        raise NotImplementedError(f"mocked session has no answer for {type(method).__name__}")

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield self.files[url.rsplit("/", 1)[-1]]


def mocked_bot(session: MockedSession | None = None) -> Bot:
    return Bot(
        token=f"{BOT_ID}:TEST",
        session=session or MockedSession(),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
