"""The interface of ``tests.support.harness.Citizen`` over the fake Bot API.

Each action is a real update taken by the polling bot (tests/support/live.py); it returns once the
bot has handled it, with the Bot API calls it made meanwhile, as aiogram method objects, so that
tests written for the mocked session run unchanged against the fake server, which checks every
call against the Bot API's schema and Telegram's limits (an edit to the same content is the
one refusal let through: the bot expects it). A press finds the newest bot message
that shows the button, as a person's tap would; only a button shown nowhere (a stale or
forged one) is sent under the newest bot message instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiogram import methods
from aiogram.methods import TelegramMethod

from bot.telegram.middlewares import InFlightUpdates
from tests.fakeapi import FakeUser
from tests.fakeapi.server import RecordedRequest
from tests.support.live import Live

HANDLED_WITHIN = 10.0
NOT_OF_THE_CONVERSATION = frozenset({"getUpdates", "getFile", "getMe", "setMyCommands"})


class LiveSpeaker:
    def __init__(self, live: Live, user: FakeUser) -> None:
        self.live = live
        self.api = live.api
        self.user = user

    async def _act(self, inject: Callable[[], object]) -> list[TelegramMethod[Any]]:
        mark = self.api.mark()
        inject()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + HANDLED_WITHIN
        while self.api.pending_updates:
            if loop.time() > deadline:
                raise TimeoutError("the bot did not take the update")
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.01)
        in_flight: InFlightUpdates = self.live.dispatcher["in_flight"]
        await in_flight.finish(within=HANDLED_WITHIN)
        return [method for request in self.api.requests[mark:] if (method := _method(request))]

    async def say(self, text: str) -> list[TelegramMethod[Any]]:
        if text.startswith("/"):
            return await self._act(lambda: self.api.send_command(self.user, text))
        return await self._act(lambda: self.api.send_text(self.user, text))

    async def press(self, data: str, message_id: int | None = None) -> list[TelegramMethod[Any]]:
        def tap() -> None:
            try:
                self.api.press(self.user, data, message_id)
            except LookupError:
                newest = self.api.messages_in(self.user)[-1]
                self.api.press_forged(self.user, data, newest)

        return await self._act(tap)

    async def photo(
        self, data: bytes, size: int | None = None, caption: str | None = None
    ) -> list[TelegramMethod[Any]]:
        return await self._act(
            lambda: self.api.send_photo(self.user, data, caption=caption, file_size=size)
        )

    async def document(
        self, data: bytes, name: str = "scan.pdf", size: int | None = None
    ) -> list[TelegramMethod[Any]]:
        return await self._act(
            lambda: self.api.send_document(self.user, data, file_name=name, file_size=size)
        )

    async def voice(self, data: bytes) -> list[TelegramMethod[Any]]:
        return await self._act(lambda: self.api.send_voice(self.user, data))

    async def sticker(self) -> list[TelegramMethod[Any]]:
        return await self._act(lambda: self.api.send_sticker(self.user))


def _method(request: RecordedRequest) -> TelegramMethod[Any] | None:
    """The call as the aiogram method the bot made; None for polling and file plumbing."""
    if request.method in NOT_OF_THE_CONVERSATION:
        return None
    unchanged = "message is not modified" in str(request.response.get("description", ""))
    assert request.ok or unchanged, f"the fake Bot API refused {request.method}: {request.response}"
    kind = getattr(methods, request.method[0].upper() + request.method[1:])
    return kind.model_validate(request.params)
