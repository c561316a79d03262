"""Prometheus metrics of one application: its own registry, nothing global, nothing personal.

Labels are fixed vocabularies of the code (an update's type, an exception's class name), never
an id, a name, a region or a text. The outbox and broadcast gauges are read from storage at each
scrape (``Metrics.render``), so they are right after a restart and cost nothing between scrapes.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from storage.broadcasts import BroadcastsRepository, RecipientStatus
from storage.outbox import OutboxRepository
from storage.pseudonym_rotation import PseudonymRotationRepository

_UNSETTLED = frozenset({RecipientStatus.PENDING, RecipientStatus.SENDING})


class Metrics:
    """The registry and its metrics, built once per application (``build_services``)."""

    def __init__(
        self,
        outbox: OutboxRepository,
        broadcasts: BroadcastsRepository,
        rotation: PseudonymRotationRepository,
        keys: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._outbox = outbox
        self._broadcasts = broadcasts
        self._rotation = rotation
        self._clock = clock
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "adal_updates", "Updates handled, by update type", ["type"], registry=registry
        )
        self.handler_seconds = Histogram(
            "adal_handler_seconds", "Time to handle one update", registry=registry
        )
        self.handler_errors = Counter(
            "adal_handler_errors",
            "Updates whose handling raised, by exception class",
            ["error"],
            registry=registry,
        )
        self.digests_sent = Counter(
            "adal_digests_sent", "Digest headers delivered to department chats", registry=registry
        )
        self.outbox_pending = Gauge(
            "adal_outbox_pending", "Outbox messages still to send", registry=registry
        )
        self.outbox_oldest_age = Gauge(
            "adal_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox message still to send (0 when none)",
            registry=registry,
        )
        self.broadcast_sent = Gauge(
            "adal_broadcast_sent", "Recipients reached by the running broadcast", registry=registry
        )
        self.broadcast_pending = Gauge(
            "adal_broadcast_pending",
            "Recipients the running broadcast has still to try (0 when none runs)",
            registry=registry,
        )
        self.encryption_keys = Gauge(
            "adal_encryption_keys",
            "Encryption keys configured; more than one: a key rotation is under way or not "
            "finished (run rotate-keys, then remove the old key)",
            registry=registry,
        )
        self.encryption_keys.set(keys)
        self.pseudonym_rotation = Gauge(
            "adal_pseudonym_rotation_unfinished",
            "1 while a pseudonym-key rotation has started and not finished (rerun "
            "rotate-pseudonyms), else 0",
            registry=registry,
        )

    async def render(self) -> bytes:
        """The registry as Prometheus text (served as ``prometheus_client.CONTENT_TYPE_LATEST``),
        its gauges read from storage first."""
        await self._refresh()
        return generate_latest(self.registry)

    async def _refresh(self) -> None:
        self.outbox_pending.set(await self._outbox.pending())
        oldest = await self._outbox.oldest_pending()
        self.outbox_oldest_age.set(0 if oldest is None else max(self._clock() - oldest, 0))
        running = await self._broadcasts.sending()
        counts = {} if running is None else await self._broadcasts.counts(running.id)
        settled = sum(n for status, n in counts.items() if status not in _UNSETTLED)
        self.broadcast_sent.set(counts.get(RecipientStatus.SENT, 0))
        self.broadcast_pending.set(0 if running is None else max(running.total - settled, 0))
        self.pseudonym_rotation.set(int(await self._rotation.unfinished()))


class MetricsMiddleware(BaseMiddleware):
    """Counts each update by type, times its handling and counts what it raised, by class."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception as exc:
            self._metrics.handler_errors.labels(type(exc).__name__).inc()
            raise
        finally:
            self._metrics.handler_seconds.observe(time.perf_counter() - started)
            self._metrics.updates.labels(_update_type(event)).inc()


def _update_type(event: TelegramObject) -> str:
    """The update's field name (message, callback_query…), or ``unknown``."""
    if isinstance(event, Update):
        for name in Update.model_fields:
            if name != "update_id" and getattr(event, name, None) is not None:
                return name
    return "unknown"
