"""What must never be found in a file under DATA_DIR or in a log, gathered from every test.

Each test that ran a fake Bot API server contributes its users' ids and names, the receipt codes
the bot showed them, what they typed in private chats, and a few runs of bytes from each recording
they sent (a voice note, an audio file, a document that is audio): only its masked copy may be
kept. ``tests/live/test_leaks.py`` greps every file the suite left behind for all of it (``Grep``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.cleaning.filetypes import Cleaner, detect
from bot.core import receipt
from tests.fakeapi import FakeBotAPI

IDS: set[str] = set()
TEXTS: set[str] = set()
RECORDINGS: set[bytes] = set()
"""Runs of bytes of the recordings test users sent (``recording_windows``)."""

_SHOWN_CODE = re.compile(rf"[{receipt.ALPHABET}]{{4}}(?:-[{receipt.ALPHABET}]{{4}}){{3}}")
_DEFAULT_NAMES = {"Test", "Admin", "S"}
MIN_TEXT = 16
WINDOW = 32
WINDOWS = 4
ANCHOR = "д".encode()[:1]
"""The lead byte of most Cyrillic letters in UTF-8 (а-п)."""


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
    for recording in sent_recordings(api):
        RECORDINGS.update(recording_windows(recording))


def sent_recordings(api: FakeBotAPI) -> Iterator[bytes]:
    """Every recording a simulated user sent, whether the bot or the user deleted it since."""
    for stored in api.files.values():
        if not stored.from_bot and (
            stored.kind in {"voice", "audio"}
            or (stored.kind == "document" and detect(stored.data).cleaner is Cleaner.AUDIO)
        ):
            yield stored.data


def recording_windows(data: bytes) -> list[bytes]:
    """``WINDOWS`` runs of ``WINDOW`` bytes from the middle half of a recording: past the
    container's headers, which an encoder writes alike for every file of its kind, in the coded
    sound, which no other file holds. Each starts at a byte that Cyrillic texts start with too
    (``ANCHOR``), so the grep's first-byte filter looks at no more places than for the texts
    (a run starting at any byte made it try every zero byte of every database). A run of few
    distinct bytes (silence in a file that does not compress it) could be anywhere: it is left
    out."""
    middle = data[len(data) // 4 : 3 * len(data) // 4]
    windows = []
    for part in range(WINDOWS):
        start = middle.find(ANCHOR, len(middle) * part // WINDOWS)
        window = middle[start : start + WINDOW] if start >= 0 else b""
        if len(window) == WINDOW and len(set(window)) > WINDOW // 2:
            windows.append(window)
    return windows


class Grep:
    """The ids, as whole numbers, the texts, in UTF-8, and runs of ``raw`` bytes that ``search``
    looks for in a file.

    Each is one regular expression shaped as a trie, which branches only where secrets differ:
    each byte is tried against the bytes that can follow it, not against every secret in turn (an
    alternation of every text took four minutes over the files a whole run leaves).
    """

    def __init__(self, ids: Iterable[str], texts: Iterable[str], raw: Iterable[bytes] = ()) -> None:
        numbers = _trie(value.encode() for value in ids if _NUMBER.fullmatch(value))
        # A run of digits that is a whole number: not a fraction of a second, not the tail of a
        # hex digest (a 64-character pseudonym holds digit runs that can equal a test user's id).
        # What stands before it is looked at after its first digit: the search skips to digits.
        starts = [
            bytes([digit]) + rb"(?<![\d.a-f].)" + _pattern(rest, whole=True)
            for digit, rest in sorted(numbers.items())
        ]
        self._ids = re.compile(b"(?:" + (b"|".join(starts) or b"(?!)") + rb")(?![\da-f])")
        encoded = (text.encode("utf-8", "replace") for text in texts)
        self._texts = re.compile(_pattern(_trie([*encoded, *raw])))

    def search(self, data: bytes) -> tuple[list[bytes], bytes | None]:
        """The first ids ``data`` holds, and the start of a text or run of bytes it holds."""
        text = self._texts.search(data)
        return sorted(set(self._ids.findall(data)))[:3], text and text[0][:40]


_NUMBER = re.compile(r"\d{6,}")
_END = -1
Trie = dict[int, "Trie"]


def _trie(words: Iterable[bytes]) -> Trie:
    root: Trie = {}
    for word in words:
        node = root
        for byte in word:
            node = node.setdefault(byte, {})
        node[_END] = {}
    return root


def _pattern(node: Trie, *, whole: bool = False) -> bytes:
    """The words under ``node`` as a regular expression. A word that is the start of another one
    ends the match, unless the match must be ``whole`` (then the longer word is tried first)."""
    if not node:
        return b"(?!)"
    chain = bytearray()
    while len(node) == 1 and _END not in node:
        [(byte, node)] = node.items()
        chain += re.escape(bytes([byte]))
    if _END in node and (len(node) == 1 or not whole):
        return bytes(chain)
    branches = [
        re.escape(bytes([byte])) + _pattern(child, whole=whole)
        for byte, child in sorted(node.items())
        if byte != _END
    ]
    if _END in node:
        branches.append(b"")
    return bytes(chain) + b"(?:" + b"|".join(branches) + b")"
