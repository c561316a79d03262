"""The report dialog's messages, on both sides, so that «Clear this chat» can delete them.

While a report is being written, the id of every message of the chat is recorded: the user's,
and the bot's replies, which ``SentMessages`` sees on the Bot's session while the update is
handled (a context variable ties them to it). The ids live in the sealed FSM storage under the
user's pseudonymous key, beside the draft rather than in it, so that they outlive its
submission: at most ``MAX_IDS`` of them, and after a submission only for as long as Telegram
lets a bot delete a message (48 hours, counted from the hour of the submission), or less when
``DRAFT_TTL_HOURS`` of silence expire them first. The messages holding receipt codes are never
deleted: the reporter must copy the code.

Nothing here names the report, and no time finer than the hour is kept (the row's own time is
the storage's, to the hour too): the pseudonym must not lead to the report it wrote.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.reports.dialog import draft_step
from storage.times import to_hour

DELETE_WINDOW_SECONDS = 48 * 3600
MAX_IDS = 200
DELETE_BATCH = 100  # deleteMessages takes 1 to 100 ids
DESTINY = "trail"

# (chat id, message id) of what the bot sent while the current update was handled; None outside.
_sent: ContextVar[list[tuple[int, int]] | None] = ContextVar("adal_sent", default=None)


class SentMessages(BaseRequestMiddleware):
    """Notes every message the bot sends or edits while an update is handled."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        result: Any = response  # the method's result, despite the hint
        sent = _sent.get()
        if sent is not None and isinstance(result, Message):
            sent.append((result.chat.id, result.message_id))
        return response


@dataclass(slots=True)
class _Trail:
    ids: list[int] = field(default_factory=list)
    receipts: list[int] = field(default_factory=list)
    until: float | None = None


class ChatTrail:
    """The recorded messages of each private chat, and deleting them."""

    def __init__(self, storage: BaseStorage, clock: Callable[[], float] = time.time) -> None:
        self._storage = storage
        self._clock = clock

    async def record(self, key: StorageKey, message_ids: Iterable[int]) -> None:
        trail = await self._load(key)
        known = {*trail.ids, *trail.receipts}
        trail.ids += [i for i in dict.fromkeys(message_ids) if i not in known]
        trail.ids = trail.ids[-MAX_IDS:]
        await self._save(key, trail)

    async def keep(self, key: StorageKey, receipt_id: int) -> None:
        """The message with a receipt code: never deleted, and the one whose button clears."""
        trail = await self._load(key)
        trail.ids = [i for i in trail.ids if i != receipt_id]
        trail.receipts = [*trail.receipts, receipt_id][-MAX_IDS:]
        trail.until = to_hour(self._clock()) + DELETE_WINDOW_SECONDS
        await self._save(key, trail)

    async def clear(self, bot: Bot, key: StorageKey, pressed_id: int) -> bool:
        """Delete the chat's recorded messages, if ``pressed_id`` is one of its receipts.

        False when there is nothing to do: a press under another message, in another chat, a
        second press, or after the window.
        """
        trail = await self._load(key)
        if pressed_id not in trail.receipts or not trail.ids:
            return False
        await _delete(bot, key.chat_id, trail.ids)
        trail.ids = []  # the receipts stay known, so a later dialog never records them
        await self._save(key, trail)
        return True

    async def _load(self, key: StorageKey) -> _Trail:
        trail = _Trail(**await self._storage.get_data(replace(key, destiny=DESTINY)))
        if trail.until is not None and trail.until < self._clock():
            return _Trail()
        return trail

    async def _save(self, key: StorageKey, trail: _Trail) -> None:
        data = asdict(trail) if trail.ids or trail.receipts else {}
        await self._storage.set_data(replace(key, destiny=DESTINY), data)


async def _delete(bot: Bot, chat_id: int, message_ids: list[int]) -> None:
    for start in range(0, len(message_ids), DELETE_BATCH):
        batch = message_ids[start : start + DELETE_BATCH]
        try:
            await bot.delete_messages(chat_id, batch)
        except TelegramBadRequest:
            # A message past the 48 hours fails the whole batch: delete the others one by one.
            for message_id in batch:
                with contextlib.suppress(TelegramBadRequest):
                    await bot.delete_message(chat_id, message_id)


class TrailMiddleware(BaseMiddleware):
    """Records a private update's message and the bot's replies while a report is written."""

    def __init__(self, trail: ChatTrail) -> None:
        self._trail = trail

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        message = event.message if isinstance(event, CallbackQuery) else event
        if (
            state is None
            or not isinstance(message, Message)
            or message.chat.type != ChatType.PRIVATE
        ):
            return await handler(event, data)
        writing = await draft_step(state) is not None
        sent: list[tuple[int, int]] = []
        token = _sent.set(sent)
        try:
            result = await handler(event, data)
        finally:
            _sent.reset(token)
        if writing or await draft_step(state) is not None:
            chat_id = message.chat.id
            ids = [message.message_id, *(m for chat, m in sent if chat == chat_id)]
            await self._trail.record(state.key, ids)
        return result
