"""Where the keys come from: the encryption keys from ENCRYPTION_KEYS or a key file made on
first start; the pseudonym (lookup) key from the database, sealed under them."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

from bot.security.crypto import Cipher, DecryptionError, Pseudonyms
from bot.settings import KEY_BYTES, ConfigError, Settings, decode_key
from storage.meta import MetaRepository

logger = logging.getLogger(__name__)

LOOKUP_KEY = "lookup_key"
LOOKUP_KEY_AAD = f"meta:{LOOKUP_KEY}:value"  # = meta_aad(LOOKUP_KEY)
NEXT_LOOKUP_KEY = "lookup_key_next"
"""The key an unfinished ``rotate-pseudonyms`` is moving to; the bot does not start beside it."""
RETIRED_LOOKUP_KEYS = "retired_lookup_keys"
"""Earlier pseudonym keys, concatenated: only receipt codes are still looked up under them."""


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


async def open_lookup_key(meta: MetaRepository, cipher: Cipher) -> bytes:
    """The HMAC key for pseudonyms: random, kept in the database sealed under the encryption key.

    Sealed rather than derived, so that rotating the encryption key (re-sealing this value)
    keeps every pseudonym and receipt-code hash valid.
    """
    stored = await meta.get(LOOKUP_KEY)
    if stored is None:
        stored = await meta.put_if_absent(
            LOOKUP_KEY, cipher.seal(os.urandom(KEY_BYTES), LOOKUP_KEY_AAD)
        )
    try:
        return cipher.open(stored, LOOKUP_KEY_AAD)
    except DecryptionError:
        raise ConfigError(
            "ENCRYPTION_KEYS does not match this database: none of the configured keys opens it"
        ) from None


async def open_pseudonyms(meta: MetaRepository, cipher: Cipher) -> Pseudonyms:
    """The current pseudonym key with the retired ones; refused while a rotation is unfinished,
    whose rows are partly under the next key."""
    if await meta.get(NEXT_LOOKUP_KEY) is not None:
        raise ConfigError(
            "a pseudonym rotation is unfinished: run `python -m bot rotate-pseudonyms` again to "
            "complete it before starting the bot"
        )
    current = await open_lookup_key(meta, cipher)
    return Pseudonyms(current, await open_retired_keys(meta, cipher))


async def open_retired_keys(meta: MetaRepository, cipher: Cipher) -> list[bytes]:
    sealed = await meta.get(RETIRED_LOOKUP_KEYS)
    if sealed is None:
        return []
    joined = cipher.open(sealed, meta_aad(RETIRED_LOOKUP_KEYS))
    return [joined[i : i + KEY_BYTES] for i in range(0, len(joined), KEY_BYTES)]


def meta_aad(name: str) -> str:
    return f"meta:{name}:value"
