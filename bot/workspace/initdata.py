"""Telegram's ``initData``, checked as Telegram specifies for Mini Apps.

The data-check string is every field but ``hash``, sorted, as ``key=value`` lines; the key is
HMAC-SHA256 of the bot token under the constant ``WebAppData``; the hash is HMAC-SHA256 of the
data-check string under that key. Only the bot's own token makes a hash that passes, so data
signed for another bot is refused like a forgery.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

#: A client's clock may run a little ahead of the server's.
FUTURE_SKEW_SECONDS = 60
MAX_INIT_DATA_CHARS = 4096


@dataclass(frozen=True, slots=True)
class WebAppLogin:
    user_id: int
    language_code: str | None
    auth_date: int
    hash: str


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The hash Telegram puts in ``initData`` over ``fields``."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def verify(raw: str, bot_token: str, *, max_age: float, now: float) -> WebAppLogin | None:
    """The person ``raw`` vouches for, or None: malformed, signed with another key, older than
    ``max_age`` seconds, dated in the future, or without a user."""
    if not raw or len(raw) > MAX_INIT_DATA_CHARS:
        return None
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    given = fields.pop("hash", "")
    if len(fields) + 1 != len(pairs) or not given:
        return None  # a repeated field: which one was signed is ambiguous
    if not hmac.compare_digest(sign(fields, bot_token).encode(), given.encode()):
        return None
    try:
        auth_date = int(fields["auth_date"])
        user = json.loads(fields["user"])
        user_id = int(user["id"])
    except (KeyError, ValueError, TypeError):
        return None
    if not -FUTURE_SKEW_SECONDS <= now - auth_date <= max_age:
        return None
    language = user.get("language_code")
    return WebAppLogin(user_id, language if isinstance(language, str) else None, auth_date, given)
