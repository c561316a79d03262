"""Receipt codes: 16 characters, 80 random bits, no look-alike characters, typed back leniently."""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O, no 1/I
LENGTH = 16
GROUP = 4

# What people type instead: lower case, Cyrillic letters that look Latin (a Russian keyboard
# layout left on), and dashes or spaces between groups.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
_SEPARATORS = str.maketrans("", "", " -–—_.\u00a0")


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def parse(text: str) -> str | None:
    """Return the canonical code typed in ``text``, or None if it cannot be one."""
    candidate = text.strip().upper().translate(_LOOKALIKES).translate(_SEPARATORS)
    if len(candidate) != LENGTH or any(char not in ALPHABET for char in candidate):
        return None
    return candidate
