"""The digest's floor: the same Bot API requests, sent one after another by bare aiogram.

``python -m bench.replay REQUESTS OUT`` reads the requests a digest made (JSON lines of method and
parameters, a photo's bytes inlined as base64), sends them through ``bot.app.create_bot`` (Adal's
session and defaults, but no database, no sealing, no rendering) and writes to OUT, as JSON, the
user and system CPU seconds that sending took.
"""

from __future__ import annotations

import asyncio
import base64
import json
import resource
import sys
from pathlib import Path
from typing import Any

from aiogram.methods import SendMessage, SendPhoto, TelegramMethod
from aiogram.types import BufferedInputFile

from bot.app import create_bot
from bot.settings import load_settings

METHODS: dict[str, type[SendMessage] | type[SendPhoto]] = {
    "sendMessage": SendMessage,
    "sendPhoto": SendPhoto,
}
UPLOAD = "upload"
"""The key that carries a photo's bytes, base64, in place of its ``attach://`` reference."""


def _method(line: str) -> TelegramMethod[Any]:
    request = json.loads(line)
    params = request["params"]
    if UPLOAD in params:
        params["photo"] = BufferedInputFile(base64.b64decode(params.pop(UPLOAD)), "evidence.jpg")
    return METHODS[request["method"]](**params)


async def replay(lines: list[str]) -> dict[str, float]:
    bot = create_bot(load_settings())
    try:
        before = resource.getrusage(resource.RUSAGE_SELF)
        for line in lines:
            await bot(_method(line))
        after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        await bot.session.close()
    return {"user": after.ru_utime - before.ru_utime, "system": after.ru_stime - before.ru_stime}


if __name__ == "__main__":
    requests, output = (Path(arg) for arg in sys.argv[1:])
    output.write_text(json.dumps(asyncio.run(replay(requests.read_text().splitlines()))))
