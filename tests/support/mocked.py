"""A Bot whose session answers every method locally and records what was sent (no network).

A test can script failures the way aiogram's own tests do (``tests/mocked_bot.py`` there): the
error answer goes through aiogram's ``check_response``, so the bot meets aiogram's real
exceptions (TelegramRetryAfter, TelegramForbiddenError, TelegramMigrateToChat…). The words are
those of the fake Bot API server's ``fail_next`` (tests/fakeapi/server.py).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, File, Message, User

from tests.fakeapi.server import fault_answer

BOT_ID = 42
BOT_USER = User(id=BOT_ID, is_bot=True, first_name="Adal", username="adal_test_bot")


@dataclass(frozen=True)
class _Fault:
    """An error answer of the Bot API, or, with no ``error_code``, no answer at all."""

    error_code: int | None
    description: str
    parameters: dict[str, int]


@dataclass
class MockedSession(BaseSession):
    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[TelegramMethod[Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1000)
        self._faults: dict[str, list[_Fault]] = {}

    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        count: int = 1,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` ("sendMessage") with an error."""
        retry_after, description = fault_answer(error_code, retry_after, description)
        given = {"retry_after": retry_after, "migrate_to_chat_id": migrate_to_chat_id}
        parameters = {name: value for name, value in given.items() if value is not None}
        self._faults.setdefault(method, []).extend(
            [_Fault(error_code, description, parameters)] * count
        )

    def disconnect_next(self, method: str, *, count: int = 1) -> None:
        """The next ``count`` ``method`` calls get no answer: aiogram's TelegramNetworkError, as its
        aiohttp session raises it when the connection fails."""
        self._faults.setdefault(method, []).extend([_Fault(None, "network is down", {})] * count)

    async def close(self) -> None:
        pass

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.requests.append(method)
        if faults := self._faults.get(method.__api_method__):
            return self._answer(bot, method, faults.pop(0))
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

    def _answer(
        self, bot: Bot, method: TelegramMethod[TelegramType], fault: _Fault
    ) -> TelegramType:
        """As aiogram's aiohttp session takes an answer: check_response raises the error."""
        if fault.error_code is None:
            raise TelegramNetworkError(method=method, message=fault.description)
        answer = {"ok": False, "error_code": fault.error_code, "description": fault.description}
        if fault.parameters:
            answer["parameters"] = fault.parameters
        response = self.check_response(bot, method, fault.error_code, json.dumps(answer))
        return cast(TelegramType, response.result)

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
