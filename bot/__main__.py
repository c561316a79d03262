"""``python -m bot`` starts long polling; ``python -m bot digest`` sends one digest now and exits.

A bad setting stops either with one line that names it.
"""

from __future__ import annotations

import asyncio
import sys

from bot.app import run_digest, run_polling
from bot.logs import setup_logging
from bot.settings import ConfigError, load_settings

USAGE = "use: python -m bot [digest]"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["digest"]):
        print(f"adal: unknown command {' '.join(args)!r}; {USAGE}", file=sys.stderr)
        return 2
    try:
        settings = load_settings()
        setup_logging(settings.log_level)
        if args == ["digest"]:
            return asyncio.run(run_digest(settings))
        asyncio.run(run_polling(settings))
    except ConfigError as exc:
        print(f"adal: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
