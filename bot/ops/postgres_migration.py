"""``python -m bot migrate-to-postgres``: move an installation from its SQLite file to the
PostgreSQL database of ``DATABASE_URL``, ciphertexts untouched (the keys stay the same)."""

from __future__ import annotations

from bot.settings import ConfigError, Settings
from storage.backends import open_database
from storage.transfer import TransferRefused, copy_to_postgres


async def run_migrate_to_postgres(settings: Settings) -> int:
    url = settings.postgres_url
    path = settings.database_path
    if url is None:
        raise ConfigError(
            "DATABASE_URL is not set: migrate-to-postgres copies the SQLite database of DATA_DIR "
            "into the PostgreSQL database it names"
        )
    if not path.exists():
        raise ConfigError(f"DATA_DIR holds no database ({path})")
    for source_or_target in (None, url):  # both at this code's schema revision
        database = await open_database(url=source_or_target, path=path)
        await database.close()
    try:
        counts = await copy_to_postgres(path, url, lambda table, rows: print(f"{table}: {rows}"))
    except TransferRefused as exc:
        print(f"Nothing was copied: {exc}")
        return 1
    print(
        f"Copied {sum(counts.values())} rows of {len(counts)} tables; every count matches.\n"
        f"Start the bot with DATABASE_URL set. Keep {path} until you have checked the bot on "
        "PostgreSQL, then delete it (and its -wal and -shm files)."
    )
    return 0
