"""News subscriptions: everyone who starts the bot, until they turn news off with /news."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.security.addresses import ChatAddresses
from storage.subscribers import Audience, Subscriber, SubscribersRepository, SubscriberStatus


def today() -> str:
    """The only date a subscriber row holds: a day, never a moment."""
    return datetime.now(UTC).date().isoformat()


class SubscriberService:
    def __init__(self, subscribers: SubscribersRepository, addresses: ChatAddresses) -> None:
        self._subscribers = subscribers
        self._addresses = addresses

    async def join(self, chat_id: int, locale: str) -> bool:
        """Subscribe a chat at /start; True for a chat new to the bot (or back after blocking
        it), which is then welcomed."""
        address = self._addresses.address(chat_id)
        return await self._subscribers.join(address.key, address.ref, locale, today())

    async def get(self, chat_id: int) -> Subscriber | None:
        return await self._subscribers.get(self._addresses.key(chat_id))

    async def toggle(self, chat_id: int, locale: str) -> bool:
        """Turn news off if it is on, on otherwise; True if it is now on."""
        current = await self.get(chat_id)
        on = current is None or current.status != SubscriberStatus.ACTIVE
        address = self._addresses.address(chat_id)
        status = SubscriberStatus.ACTIVE if on else SubscriberStatus.OFF
        await self._subscribers.set_status(address.key, address.ref, locale, status, today())
        return on

    async def set_locale(self, chat_id: int, locale: str) -> None:
        await self._subscribers.set_locale(self._addresses.key(chat_id), locale)

    async def set_region(self, chat_id: int, region: str | None) -> bool:
        return await self._subscribers.set_region(self._addresses.key(chat_id), region)

    async def count(self, audience: Audience) -> int:
        return await self._subscribers.count(audience)

    async def count_by(self, column: str) -> dict[str, int]:
        return await self._subscribers.count_by(column)

    def chat_id(self, subscriber: Subscriber) -> int:
        return self._addresses.chat_id(subscriber.chat_key, subscriber.chat_ref)
