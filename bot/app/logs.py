"""Logging that cannot leak who reported or what: ids, receipt codes and quoted input are masked.

The filter sits on the handler, so it also covers aiogram's and the libraries' records, and it
rewrites the formatted traceback too: an exception message may quote what a user typed
(pydantic's ``input_value=...``), and a traceback must never carry an update's payload.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import Literal

from bot.core.receipt import ALPHABET, GROUP, LENGTH

_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{6,}(?![\w.])")
_GROUP = f"[{ALPHABET}]{{{GROUP}}}"
_RECEIPT = re.compile(
    rf"(?<![\w-])(?:{_GROUP}[- ]?){{{LENGTH // GROUP - 1}}}{_GROUP}(?![\w-])", re.IGNORECASE
)
_QUOTED = re.compile(r"""(input_value=|text=|caption=)?(['"])(?:(?!\2).){16,}\2""", re.DOTALL)


def redact(text: str) -> str:
    text = _QUOTED.sub(lambda match: f"{match.group(1) or ''}<text>", text)
    text = _RECEIPT.sub("<code>", text)
    return _LONG_NUMBER.sub("<id>", text)


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors.

    An exception gives its type and its frames (file, line, function), not its message nor the
    source lines: those may quote what a user typed. Each text is redacted again here, so the
    output is masked even on a handler without ``RedactFilter``.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["stack"] = [
                redact(f"{frame.filename}:{frame.lineno} in {frame.name}")
                for frame in traceback.extract_tb(record.exc_info[2])
            ]
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str, log_format: Literal["text", "json"] = "text") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(RedactFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # At DEBUG, aiosqlite logs every statement with its parameters: sealed, but never useful.
    logging.getLogger("aiosqlite").setLevel(logging.INFO)
    # APScheduler logs each job as it is added and each run (every 30 s for urgent cases), with
    # the job quoted, which the filter masks to <text>: bot/app/scheduler.py's log_jobs says what
    # matters.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # One line per revision with its description: storage.migrations says what it applied.
    logging.getLogger("alembic").setLevel(logging.WARNING)
