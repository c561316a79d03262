"""The log formats: text stays as it was, json is one masked object per line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from typing import Literal

from bot.app.logs import setup_logging
from bot.core import receipt

TYPED = "Аким района берёт взятки MARKER-7781"


@contextmanager
def bot_log(log_format: Literal["text", "json"]) -> Iterator[io.StringIO]:
    """The bot's own handler, formatter and filter, into a buffer; the root logger restored."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    output = io.StringIO()
    with redirect_stderr(output):
        setup_logging("INFO", log_format)
    try:
        yield output
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def fail_with_payload(code: str) -> None:
    raise ValueError(f"input_value='{TYPED}', chat 777000111, receipt {code}")


def test_text_format_is_unchanged() -> None:
    with bot_log("text") as output:
        logging.getLogger("adal.format").info("started %s", "polling")
    line = output.getvalue()
    assert line.endswith(" INFO adal.format: started polling\n")
    assert line[:4].isdigit() and line.count("\n") == 1


def test_json_line_masks_ids_receipt_codes_and_quoted_input() -> None:
    code = receipt.generate()
    with bot_log("json") as output:
        logging.getLogger("adal.format").info(
            "user %d asked %s about '%s'", 777000111, receipt.format_code(code), TYPED
        )
    lines = output.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["level"] == "INFO" and entry["logger"] == "adal.format"
    assert entry["time"].endswith("+00:00") and "T" in entry["time"]
    assert entry["message"] == "user <id> asked <code> about <text>"
    for secret in ("777000111", code, receipt.format_code(code), "MARKER-7781"):
        assert secret not in lines[0]


def test_json_exception_gives_type_and_frames_never_the_payload() -> None:
    code = receipt.generate()
    with bot_log("json") as output:
        try:
            fail_with_payload(code)
        except ValueError:
            logging.getLogger("adal.format").exception("handler failed for 777000111")
    text = output.getvalue()
    entry = json.loads(text)
    assert entry["level"] == "ERROR" and entry["message"] == "handler failed for <id>"
    assert entry["exc_type"] == "ValueError"
    assert any("in fail_with_payload" in frame for frame in entry["stack"])
    for secret in ("777000111", code, receipt.format_code(code), "MARKER-7781", "input_value"):
        assert secret not in text
