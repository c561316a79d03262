"""Logging that cannot leak who reported: long digit runs (Telegram ids) are masked."""

from __future__ import annotations

import logging
import re
import sys

_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{6,}(?![\w.])")


class RedactIdsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _LONG_NUMBER.sub("<id>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactIdsFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
