"""AES-256-GCM sealing of everything confidential, and keyed pseudonyms for lookups.

A sealed blob is ``version (1) | key id (4) | nonce (12) | ciphertext+tag``. The associated data
names the row and field a ciphertext belongs to, so a blob copied to another row or column fails
to open. The key id lets several keys decrypt while only the first one encrypts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_KEY_ID_LEN = 4
_NONCE_LEN = 12
_HEADER_LEN = 1 + _KEY_ID_LEN + _NONCE_LEN


class DecryptionError(Exception):
    """A ciphertext is damaged, moved to another row or field, or its key is not configured."""


def key_id(key: bytes) -> bytes:
    return hmac.new(key, b"adal/key-id", hashlib.sha256).digest()[:_KEY_ID_LEN]


class Cipher:
    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("at least one key is required")
        self._current_id = key_id(keys[0])
        self._aead = {key_id(key): AESGCM(key) for key in keys}

    @property
    def key_count(self) -> int:
        return len(self._aead)

    def seal(self, plaintext: bytes, aad: str) -> bytes:
        nonce = os.urandom(_NONCE_LEN)
        sealed = self._aead[self._current_id].encrypt(nonce, plaintext, aad.encode())
        return _VERSION + self._current_id + nonce + sealed

    def open(self, blob: bytes, aad: str) -> bytes:
        if len(blob) < _HEADER_LEN or blob[:1] != _VERSION:
            raise DecryptionError("not a sealed value")
        aead = self._aead.get(blob[1 : 1 + _KEY_ID_LEN])
        if aead is None:
            raise DecryptionError("sealed with a key that is not configured")
        nonce = blob[1 + _KEY_ID_LEN : _HEADER_LEN]
        try:
            return aead.decrypt(nonce, blob[_HEADER_LEN:], aad.encode())
        except InvalidTag:
            raise DecryptionError("authentication failed") from None

    @property
    def prefix(self) -> bytes:
        """How every blob sealed now begins: the format version and the first key's id."""
        return _VERSION + self._current_id

    def can_open(self, prefix: bytes) -> bool:
        """Whether a blob beginning with ``prefix`` was sealed under one of the configured keys."""
        return prefix[:1] == _VERSION and prefix[1:] in self._aead

    def reseal(self, blob: bytes, aad: str) -> bytes:
        """The same plaintext and associated data, sealed under the first key with a new nonce."""
        return self.seal(self.open(blob, aad), aad)

    def seal_text(self, text: str, aad: str) -> bytes:
        return self.seal(text.encode(), aad)

    def open_text(self, blob: bytes, aad: str) -> str:
        return self.open(blob, aad).decode()


class Pseudonyms:
    """HMAC-SHA256 under the lookup key: recognise a user or a code again without storing it.

    The purpose is part of the message so that the same value gives unrelated digests in
    different tables (a user's FSM key cannot be joined with their language preference).
    """

    def __init__(self, lookup_key: bytes, retired: Sequence[bytes] = ()) -> None:
        self._key = lookup_key
        self._retired = tuple(retired)

    def digest(self, purpose: str, *parts: object) -> bytes:
        return _digest(self._key, purpose, parts)

    def earlier_digests(self, purpose: str, *parts: object) -> list[bytes]:
        """The digests under the keys ``rotate-pseudonyms`` retired, newest first: kept only to
        find receipt codes, which cannot be hashed again without the codes."""
        return [_digest(key, purpose, parts) for key in reversed(self._retired)]


def _digest(key: bytes, purpose: str, parts: Sequence[object]) -> bytes:
    message = "\x1f".join([purpose, *map(str, parts)]).encode()
    return hmac.new(key, message, hashlib.sha256).digest()
