"""The tests' fake Bot API server (validation on), timing when each chat got its answer.

A simulated person has one update in flight at a time: ``expect`` registers it, the server stamps
when getUpdates served it and when the bot's first message to that chat (sent or edited) arrived,
and resolves the exchange once a message matches what the person waits for. This replaces
``next_reply``, whose waiters all wake on every request: with a thousand people waiting at once
that alone would cost more than the bot being measured.

With a webhook set, updates are posted as Telegram posts them (the fake's own webhook poster): up
to ``max_connections`` (40 by default) at once, one at a time per chat; this times each.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakeapi import FakeBotAPI, RecordedRequest, SentMessage
from tests.fakeapi.fixtures import SPEC_PATH
from tests.fakeapi.server import MESSAGE_METHODS, chat_of

JSON = dict[str, Any]
Until = Callable[[SentMessage], bool]


@dataclass
class Exchange:
    """One update of one chat, from its push to the bot message the person waits for."""

    until: Until
    served: float | None = None
    replied: float | None = None
    answered: asyncio.Future[SentMessage] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def latency(self) -> float | None:
        """Seconds from getUpdates serving the update to the bot's first message in the chat."""
        if self.served is None or self.replied is None:
            return None
        return self.replied - self.served


class TimedAPI(FakeBotAPI):
    def __init__(self) -> None:
        super().__init__(spec_path=SPEC_PATH)
        self._exchanges: dict[int, Exchange] = {}

    def expect(self, chat_id: int, until: Until) -> Exchange:
        """Call before pushing the chat's update; at most one exchange per chat at a time."""
        exchange = Exchange(until)
        self._exchanges[chat_id] = exchange
        return exchange

    def sent_messages(self, after: int = 0) -> list[RecordedRequest]:
        """Successful requests that put a new message into a chat (what rate limits count)."""
        return [r for r in self.requests[after:] if r.ok and r.method in MESSAGE_METHODS]

    async def _handle_method(self, request: web.Request) -> web.Response:
        response = await super()._handle_method(request)
        # Nothing awaited since the request was recorded: it is the last one.
        self._observe(self.requests[-1])
        return response

    def _served(self, updates: list[JSON]) -> None:
        now = time.monotonic()
        for update in updates:
            exchange = self._exchanges.get(chat_of(update))
            if exchange is not None and exchange.served is None:
                exchange.served = now

    def _observe(self, record: RecordedRequest) -> None:
        if record.method == "getUpdates" and record.ok:
            self._served(record.result)
            return
        if record.message is None or not record.ok:
            return
        exchange = self._exchanges.get(record.message.chat_id)
        if exchange is None or exchange.served is None:
            return
        if exchange.replied is None:
            exchange.replied = record.time
        if not exchange.answered.done() and exchange.until(record.message):
            exchange.answered.set_result(record.message)
            del self._exchanges[record.message.chat_id]

    def _on_post(self, update: JSON) -> None:
        self._served([update])


@asynccontextmanager
async def running_api() -> AsyncIterator[TimedAPI]:
    """A started server; fails loudly if the bot sent anything Telegram would reject."""
    api = TimedAPI()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
    if api.violations:
        raise AssertionError("requests Telegram would reject:\n" + "\n".join(api.violations[:20]))
