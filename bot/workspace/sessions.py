"""Workspace sessions: a bearer token the page keeps in memory, sealed so only Adal can read it.

The token holds the person's Telegram id, its expiry, the CSRF value the page must echo on
every change and the language their Telegram reported at sign-in (used until they choose one);
it is AES-GCM under the encryption key, so nothing about a session is stored on the server.
Who the person is allowed to be is decided again on every request (``access``): taking someone
off the roster refuses their next request, whatever their token says.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
from dataclasses import dataclass

from bot.security.crypto import Cipher, DecryptionError

SESSION_AAD = "webapp:session"
MAX_TOKEN_CHARS = 512


@dataclass(frozen=True, slots=True)
class Session:
    user_id: int
    expires_at: float
    csrf: str
    telegram_language: str | None = None

    def csrf_matches(self, given: str) -> bool:
        return hmac.compare_digest(self.csrf.encode(), given.encode())


class SessionTokens:
    def __init__(self, cipher: Cipher, lifetime: float) -> None:
        self._cipher = cipher
        self._lifetime = lifetime

    def issue(
        self, user_id: int, now: float, telegram_language: str | None = None
    ) -> tuple[str, Session]:
        session = Session(
            user_id, now + self._lifetime, secrets.token_urlsafe(24), telegram_language
        )
        payload = json.dumps(
            {"u": user_id, "e": session.expires_at, "c": session.csrf, "l": telegram_language}
        )
        sealed = self._cipher.seal(payload.encode(), SESSION_AAD)
        return base64.urlsafe_b64encode(sealed).decode().rstrip("="), session

    def read(self, token: str, now: float) -> Session | None:
        """The session, or None for a token that is malformed, forged or expired."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        try:
            sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            data = json.loads(self._cipher.open(sealed, SESSION_AAD))
            language = data.get("l")
            session = Session(
                int(data["u"]),
                float(data["e"]),
                str(data["c"]),
                language if isinstance(language, str) else None,
            )
        except (binascii.Error, ValueError, KeyError, TypeError, DecryptionError):
            return None
        return session if session.expires_at > now else None
