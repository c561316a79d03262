"""The database and its keys for a one-shot command run with the bot's settings (``rotate-keys``,
``rotate-pseudonyms``), with one line naming what is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.security.crypto import Cipher
from bot.security.keys import configured_keys
from bot.settings import ConfigError, Settings
from storage.backends import open_database
from storage.database import Database


@asynccontextmanager
async def offline_database(settings: Settings) -> AsyncIterator[tuple[Cipher, Database]]:
    if settings.postgres_url is None and not settings.database_path.exists():
        raise ConfigError(f"DATA_DIR holds no database ({settings.database_path})")
    keys = configured_keys(settings)
    if keys is None:
        raise ConfigError("ENCRYPTION_KEYS is empty and KEY_FILE does not exist: no key to use")
    database = await open_database(url=settings.postgres_url, path=settings.database_path)
    try:
        yield Cipher(keys), database
    finally:
        await database.close()
