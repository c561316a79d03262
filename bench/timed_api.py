"""The tests' fake Bot API server (validation on), timing when each chat got its answer.

A simulated person has one update in flight at a time: ``expect`` registers it, the server stamps
when getUpdates served it and when the bot's first message to that chat (sent or edited) arrived,
and resolves the exchange once a message matches what the person waits for. This replaces
``next_reply``, whose waiters all wake on every request: with a thousand people waiting at once
that alone would cost more than the bot being measured.

With a webhook set, updates are posted as Telegram posts them: up to ``max_connections`` (40 by
default) at once, one at a time per chat, each again until the bot answers 200. The tests' fake
posts one update at a time, which would measure its own round trips instead of the bot.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakeapi import FakeBotAPI, RecordedRequest, SentMessage
from tests.fakeapi.fixtures import SPEC_PATH
from tests.fakeapi.server import MESSAGE_METHODS, WEBHOOK_RETRY_SECONDS

JSON = dict[str, Any]
Until = Callable[[SentMessage], bool]
WEBHOOK_CONNECTIONS = 40
"""Telegram's default ``max_connections`` of a webhook."""


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
            exchange = self._exchanges.get(_chat_of(update))
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

    async def _post_updates(self) -> None:
        webhook = self.webhook or {}
        limit = webhook.get("max_connections", WEBHOOK_CONNECTIONS)
        posting: set[int | None] = set()  # chats with an update in flight

        def next_update() -> JSON | None:
            if len(posting) >= limit:
                return None
            # The people here send only updates the bot takes: no need to filter the queue.
            return next((u for u in self._updates if _chat_of(u) not in posting), None)

        async def post(session: aiohttp.ClientSession, update: JSON) -> None:
            try:
                while True:
                    self._served([update])
                    status = await self._post_webhook(session, json.dumps(update).encode())
                    if status == 200:
                        self._updates = [u for u in self._updates if u is not update]
                        return
                    await asyncio.sleep(WEBHOOK_RETRY_SECONDS)
            finally:
                posting.discard(_chat_of(update))
                self._notify()

        connector = aiohttp.TCPConnector(limit=limit)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            asyncio.TaskGroup() as group,
        ):
            while True:
                await self._wait(lambda: self._closing or next_update() is not None, 3600)
                update = next_update()
                if self._closing or update is None:
                    return
                posting.add(_chat_of(update))
                group.create_task(post(session, update))


def _chat_of(update: JSON) -> int | None:
    if "message" in update:
        return update["message"]["chat"]["id"]
    query = update.get("callback_query")
    if query is not None and "message" in query:
        return query["message"]["chat"]["id"]
    return None


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
