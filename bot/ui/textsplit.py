"""Splitting plain text into Telegram-sized parts: by UTF-16 units, at a space where possible."""

from __future__ import annotations

from collections.abc import Sequence

from bot.ui.formatting import truncate_utf16, utf16_length

MESSAGE_LIMIT = 4096
# A word break is only looked for this far back, so a very long "word" is still cut.
WORD_BREAK_WINDOW = 200


def split_plain(text: str, limit: int) -> list[str]:
    """Parts of at most ``limit`` UTF-16 units (``limit`` >= 2), never splitting a character.

    The parts joined together give back ``text`` exactly; a part ends after a whitespace when
    one lies within the last ``WORD_BREAK_WINDOW`` characters of the limit.
    """
    parts: list[str] = []
    rest = text
    while utf16_length(rest) > limit:
        # A limit narrower than one character still makes progress, one character a part.
        head = truncate_utf16(rest, limit) or rest[0]
        cut = max(head.rfind(" "), head.rfind("\n"))
        if cut >= len(head) - WORD_BREAK_WINDOW and cut > 0:
            head = head[: cut + 1]
        parts.append(head)
        rest = rest[len(head) :]
    if rest or not parts:
        parts.append(rest)
    return parts


def pack_lines(lines: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Whole lines joined by newlines into messages of at most ``limit`` UTF-16 units, for lists
    of short lines (an audit, a roster). Each line is valid HTML on its own and is measured with
    its markup, which Telegram does not count, so a message always fits."""
    messages: list[list[str]] = []
    length = 0
    for line in lines:
        size = utf16_length(line)
        if messages and length + 1 + size <= limit:
            messages[-1].append(line)
            length += 1 + size
        else:
            messages.append([line])
            length = size
    return ["\n".join(message) for message in messages]
