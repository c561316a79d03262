"""Characters that hide or disguise text.

Lone UTF-16 surrogates and NUL: Telegram's JSON may escape one (``"\\ud800"``, ``"\\u0000"``);
a surrogate cannot be stored in SQLite or sent back, a NUL cannot be stored in PostgreSQL's text,
so each becomes U+FFFD before handlers, one UTF-16 unit as well, which keeps every entity offset
in place.

Invisible controls: a right-to-left override makes ``Akt_proverki\u202efdp.exe`` read
``Akt_proverkiexe.pdf``, zero-width and tag characters carry text no one sees. ``visible_text``
takes them out of whatever a reporter wrote, where it is rendered for officers (case cards,
file captions, relayed answers, the CSV export), so rows stored before are covered too; what is
stored stays as it was sent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ZWJ = "\u200d"
_LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n\n"}
_KEPT_CONTROLS = frozenset("\n\t")


def visible_text(text: str) -> str:
    """``text`` without the characters that can hide or reorder what an officer reads.

    Gone: C0 and C1 controls except newline and tab, and every format character (Unicode
    category Cf): bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the
    marks U+200E, U+200F and U+061C, zero-width spaces and joiners, the BOM, soft hyphens, tag
    characters. A zero-width joiner is kept between emoji, where it draws one picture (👨‍👩‍👧).
    Other line breaks become newlines.
    """
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text  # no control or format character: the common case, found at C speed
    kept = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cc" and char not in _KEPT_CONTROLS:
            continue
        if category == "Cf" and not (char == _ZWJ and _joins_emoji(text, index)):
            continue
        kept.append(char)
    return "".join(kept)


def _joins_emoji(text: str, index: int) -> bool:
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return unicodedata.category(after or " ") == "So" and unicodedata.category(before or " ") in (
        "So",
        "Sk",
        "Mn",
    )


def _clean(text: str | None) -> str | None:
    return None if text is None else _UNSTORABLE.sub("\ufffd", text)


def _dirty(*texts: str | None) -> bool:
    return any(text is not None and _UNSTORABLE.search(text) for text in texts)


class CleanTextMiddleware(BaseMiddleware):
    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and _dirty(event.text, event.caption):
            event = event.model_copy(
                update={"text": _clean(event.text), "caption": _clean(event.caption)}
            )
        elif isinstance(event, CallbackQuery) and _dirty(event.data):
            event = event.model_copy(update={"data": _clean(event.data)})
        return await handler(event, data)
