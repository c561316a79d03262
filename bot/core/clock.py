"""The clock and random ids every feature uses: aware UTC times, 128-bit hex ids."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def new_id() -> str:
    return secrets.token_hex(16)


def utc_now() -> datetime:
    return datetime.now(UTC)
