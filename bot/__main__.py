"""``python -m bot``: long polling. A bad setting stops the start with one line that names it."""

from __future__ import annotations

import asyncio
import sys

from bot.app import run_digest, run_polling
from bot.logs import setup_logging
from bot.settings import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        settings = load_settings()
        setup_logging(settings.log_level)
        if sys.argv[1:] == ["digest"]:
            return asyncio.run(run_digest(settings))
        if sys.argv[1:]:
            print(
                f"adal: unknown command {' '.join(sys.argv[1:])!r}; use: python -m bot [digest]",
                file=sys.stderr,
            )
            return 2
        asyncio.run(run_polling(settings))
    except ConfigError as exc:
        print(f"adal: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
