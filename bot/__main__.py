"""``python -m bot`` takes updates by long polling, or as a webhook with ``BOT_MODE=webhook``; a
command instead runs once and exits with its status: ``digest`` sends one digest now, ``check``
checks the installation, ``rotate-keys`` re-encrypts everything under the first key,
``rotate-pseudonyms`` moves every pseudonym to a new HMAC key, ``vacuum`` gives the database
file's free pages back to the disk.

Bad settings stop any of them with one line each that names the setting.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bot.app import run_digest, run_polling, run_webhook
from bot.app.logs import setup_logging
from bot.ops.check import run_check
from bot.ops.postgres_migration import run_migrate_to_postgres
from bot.ops.pseudonym_rotation import run_pseudonym_rotation
from bot.ops.retention import run_vacuum
from bot.ops.rotation import run_rotation
from bot.settings import ConfigError, Settings, load_settings

COMMANDS: dict[str, Callable[[Settings], Coroutine[Any, Any, int]]] = {
    "digest": run_digest,
    "check": run_check,
    "rotate-keys": run_rotation,
    "rotate-pseudonyms": run_pseudonym_rotation,
    "vacuum": run_vacuum,
    "migrate-to-postgres": run_migrate_to_postgres,
}
USAGE = f"use: python -m bot [{'|'.join(COMMANDS)}]"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] not in COMMANDS):
        print(f"adal: unknown command {' '.join(args)!r}; {USAGE}", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
        setup_logging(settings.log_level, settings.log_format)
        if args:
            return asyncio.run(COMMANDS[args[0]](settings))
        asyncio.run(
            run_webhook(settings) if settings.bot_mode == "webhook" else run_polling(settings)
        )
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"adal: configuration error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
