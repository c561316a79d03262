"""Strict parser for Telegram's HTML ``parse_mode``.

It follows https://core.telegram.org/bots/api#html-style and is deliberately
stricter than the real server where the docs say "must": every ``<``, ``>`` and
``&`` outside a tag has to be escaped, tags must be supported, properly nested
and closed.  A bot that passes here will not hit "can't parse entities" in
production.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

#: Tag name -> MessageEntity type it produces.
ENTITY_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_ATTR = r"""[A-Za-z_:][-A-Za-z0-9_:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_TAG_RE = re.compile(
    rf"<(?P<close>/?)(?P<name>[A-Za-z][-A-Za-z0-9]*)(?P<attrs>(?:\s+{_ATTR})*)\s*(?P<selfclose>/?)>"
)
_ATTR_RE = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_ENTITY_RE = re.compile(
    r"&(?:#(?P<dec>[0-9]{1,7})|#[xX](?P<hex>[0-9a-fA-F]{1,6})|(?P<named>lt|gt|amp|quot));"
)
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HTMLParseError(ValueError):
    """The text is not valid Telegram HTML (Telegram: "can't parse entities")."""


@dataclass(frozen=True)
class ParsedText:
    """Text after entity parsing and the MessageEntity dicts Telegram would attach."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    name: str
    attrs: dict[str, str | None]
    offset: int  # UTF-16 offset in the output text


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (astral characters count 2)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _parse_attrs(raw: str) -> dict[str, str | None]:
    attrs: dict[str, str | None] = {}
    for match in _ATTR_RE.finditer(raw):
        value = match.group(2)
        if value is not None and value[:1] in {'"', "'"}:
            value = value[1:-1]
        attrs[match.group(1).lower()] = None if value is None else html.unescape(value)
    return attrs


def _check_attrs(name: str, attrs: dict[str, str | None]) -> str | None:
    """Return an error for a supported tag used without its mandatory attributes."""
    if name == "span" and attrs.get("class") != "tg-spoiler":
        return '<span> is only supported as <span class="tg-spoiler">'
    if name == "a" and not attrs.get("href"):
        return "<a> needs a non-empty href attribute"
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        return "<tg-emoji> needs an emoji-id attribute"
    return None


def _check_nesting(name: str, stack: list[_Open]) -> str | None:
    names = [item.name for item in stack]
    if "code" in names:
        return f"<{name}> can't be nested inside <code>"
    if names and names[-1] == "pre" and name != "code":
        return f"<{name}> can't be nested inside <pre>; only <code> can"
    if "pre" in names and name == "code" and names[-1] != "pre":
        return "<code> inside <pre> must be its direct child"
    if name == "blockquote" and "blockquote" in names:
        return "<blockquote> can't be nested"
    if name == "a" and "a" in names:
        return "<a> can't be nested"
    if name == "pre" and "pre" in names:
        return "<pre> can't be nested"
    return None


def _entity(item: _Open, length: int, stack: list[_Open]) -> dict[str, Any] | None:
    """Build the MessageEntity for a closed tag, or None when Telegram folds it into its parent."""
    if item.name == "code" and stack and stack[-1].name == "pre":
        language = (item.attrs.get("class") or "").removeprefix("language-")
        if language:
            stack[-1].attrs["language"] = language
        return None
    entity: dict[str, Any] = {
        "type": ENTITY_TYPES[item.name],
        "offset": item.offset,
        "length": length,
    }
    if item.name == "a":
        entity["url"] = item.attrs["href"]
    elif item.name == "tg-emoji":
        entity["custom_emoji_id"] = item.attrs["emoji-id"]
    elif item.name == "pre" and item.attrs.get("language"):
        entity["language"] = item.attrs["language"]
    elif item.name == "blockquote" and "expandable" in item.attrs:
        entity["type"] = "expandable_blockquote"
    return entity


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into plain text plus entities; raise HTMLParseError if malformed."""
    out: list[str] = []
    out_len = 0  # UTF-16 units emitted so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < len(source):
        char = source[i]
        where = f"at byte offset {_byte_offset(source, i)}"
        if char == "<":
            match = _TAG_RE.match(source, i)
            if match is None:
                raise HTMLParseError(f"unescaped '<' {where}: write &lt;")
            name = match.group("name").lower()
            if name not in ENTITY_TYPES:
                raise HTMLParseError(f'unsupported tag "{name}" {where}')
            if match.group("selfclose"):
                raise HTMLParseError(f'self-closing tag "{name}" {where} is not supported')
            if match.group("close"):
                if match.group("attrs").strip():
                    raise HTMLParseError(f'end tag "{name}" {where} must not have attributes')
                if not stack:
                    raise HTMLParseError(f'unexpected end tag "{name}" {where}')
                if stack[-1].name != name:
                    raise HTMLParseError(
                        f"unmatched end tag {where}: "
                        f'expected "</{stack[-1].name}>", found "</{name}>"'
                    )
                item = stack.pop()
                length = out_len - item.offset
                entity = _entity(item, length, stack)
                if entity is not None and length > 0:
                    entities.append(entity)
            else:
                attrs = _parse_attrs(match.group("attrs"))
                problem = _check_attrs(name, attrs) or _check_nesting(name, stack)
                if problem:
                    raise HTMLParseError(f"{problem} ({where})")
                stack.append(_Open(name, attrs, out_len))
            i = match.end()
            continue
        if char == ">":
            raise HTMLParseError(f"unescaped '>' {where}: write &gt;")
        if char == "&":
            entity_match = _ENTITY_RE.match(source, i)
            if entity_match is None:
                raise HTMLParseError(
                    f"unescaped '&' or unsupported HTML entity {where}: write &amp;"
                )
            if entity_match.group("named"):
                char = _NAMED[entity_match.group("named")]
            else:
                dec, hex_ = entity_match.group("dec"), entity_match.group("hex")
                code = int(dec) if dec else int(hex_, 16)
                if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise HTMLParseError(f"invalid numeric HTML entity {where}")
                char = chr(code)
            i = entity_match.end()
        else:
            i += 1
        out.append(char)
        out_len += utf16_len(char)
    if stack:
        raise HTMLParseError(f'can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), entities)
