"""What must never be found in a file under DATA_DIR or in a log, gathered from every test.

Each test that ran a fake Bot API server contributes its users' ids and names, the receipt codes
the bot showed them, and what they typed in private chats; ``tests/live/test_leaks.py`` greps every
file the suite left behind for all of it.
"""

from __future__ import annotations

import re

from bot.core import receipt
from tests.fakeapi import FakeBotAPI

IDS: set[str] = set()
TEXTS: set[str] = set()

_SHOWN_CODE = re.compile(rf"[{receipt.ALPHABET}]{{4}}(?:-[{receipt.ALPHABET}]{{4}}){{3}}")
_DEFAULT_NAMES = {"Test", "Admin", "S"}
MIN_TEXT = 16


def _worth(text: str) -> bool:
    return len(text.strip()) >= MIN_TEXT and sum(char.isalpha() for char in text) >= 8


def gather(api: FakeBotAPI) -> None:
    for chat in api.private_chats():
        IDS.add(str(chat.id))
        TEXTS.update(
            name
            for name in (chat.first_name, chat.last_name, chat.username)
            if name and name not in _DEFAULT_NAMES and len(name) >= 4
        )
    for message in api.all_messages():
        sender = message.get("from", {})
        text = message.get("text") or message.get("caption") or ""
        if sender.get("is_bot"):
            for shown in _SHOWN_CODE.findall(text):
                TEXTS.update({shown, shown.replace("-", "")})
        elif message["chat"]["type"] == "private" and _worth(text) and not text.startswith("/"):
            TEXTS.add(text)
