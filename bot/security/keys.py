"""Where the encryption keys come from: ENCRYPTION_KEYS, or a key file made on first start."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

from bot.settings import KEY_BYTES, ConfigError, Settings, decode_key

logger = logging.getLogger(__name__)


def resolve_keys(settings: Settings) -> tuple[bytes, ...]:
    keys = configured_keys(settings)
    if keys is not None:
        return keys
    path = settings.key_file
    _create_key_file(path)
    logger.warning(
        "Created a new encryption key at %s. Back it up somewhere safe and separate from the "
        "data directory: losing this file makes every stored report unreadable.",
        path.resolve(),
    )
    return (_read_key_file(path),)


def configured_keys(settings: Settings) -> tuple[bytes, ...] | None:
    """The keys, without creating anything: None while the key file is still to be made."""
    if settings.encryption_keys:
        return settings.encryption_keys
    if settings.key_file.exists():
        return (_read_key_file(settings.key_file),)
    return None


def _read_key_file(path: Path) -> bytes:
    try:
        return decode_key(path.read_text().strip())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"KEY_FILE is invalid: {path}: {exc}") from None


def _create_key_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ConfigError(f"KEY_FILE cannot be created: {path}: {exc.strerror}") from None
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(os.urandom(KEY_BYTES)).decode() + "\n")
