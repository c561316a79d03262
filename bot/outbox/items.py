"""Building outbox items whose content is a sealed text message (headers, alerts, notices)."""

from __future__ import annotations

import json
from typing import Any

from bot.security.crypto import Cipher
from storage.outbox import NewItem

REPORTER_KINDS = frozenset({"notice", "question"})
"""Messages to a reporter: one-time address, times to the hour, forgotten once sent."""

DIGEST_HEADER = "header"
"""A digest's opening message to a department chat (the metrics count these as digests sent)."""


def payload_aad(kind: str, chat_key: bytes, report_id: str | None) -> str:
    return f"outbox:{kind}:{chat_key.hex()}:{report_id or ''}:payload"


def text_item(
    cipher: Cipher,
    kind: str,
    chat_key: bytes,
    chat_ref: bytes,
    text: str,
    *,
    markup: dict[str, Any] | None = None,
    report_id: str | None = None,
    parent: int | None = None,
    parent_id: int | None = None,
    due: float | None = None,
    silent: bool | None = None,
) -> NewItem:
    """``silent``, for a reporter: whether it goes with ``disable_notification``
    (bot/cases/delivery.py
    sends a reporter's item without it silently)."""
    content: dict[str, Any] = {"text": text, "markup": markup}
    if silent is not None:
        content["silent"] = silent
    payload = json.dumps(content).encode()
    return NewItem(
        kind,
        chat_key,
        chat_ref,
        report_id=report_id,
        parent=parent,
        parent_id=parent_id,
        due=due,
        payload=cipher.seal(payload, payload_aad(kind, chat_key, report_id)),
        hour_only=kind in REPORTER_KINDS,
    )
