"""What storage needs from the crypto layer, without importing the application."""

from __future__ import annotations

from typing import Protocol


class Sealer(Protocol):
    def seal(self, plaintext: bytes, aad: str) -> bytes: ...

    def open(self, blob: bytes, aad: str) -> bytes: ...


class Hasher(Protocol):
    def digest(self, purpose: str, *parts: object) -> bytes: ...
