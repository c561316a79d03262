"""Request validation against the machine-readable Bot API spec and Telegram's documented limits."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .html import ParsedText, parse_html, utf16_len

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_ANSWER_MAX = 200
CALLBACK_DATA_MAX_BYTES = 64
DESCRIPTION_MAX = 512
SHORT_DESCRIPTION_MAX = 120
COMMANDS_MAX = 100
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
#: InlineKeyboardButton fields that don't choose what it does; exactly one other field must be set.
_BUTTON_DECORATION = frozenset({"text", "icon_custom_emoji_id", "style"})
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LITERAL_RE = re.compile(r"(?:must be|always) (?!one of)[“\"]?([a-z_]+)")
_INT_RE = re.compile(r"-?[0-9]+")
_PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
ATTACH_PREFIX = "attach://"
_OGG_PAGE_HEADER = 27
_OGG_FIRST_PAGE = 0x02


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part sent by the bot."""

    filename: str
    content_type: str
    data: bytes


class BotAPISpec:
    """The methods and types of ``bot-api.json``, with a structural value checker."""

    def __init__(self, path: Path) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = raw["version"]
        self.methods: dict[str, dict[str, Any]] = raw["methods"]
        self.types: dict[str, dict[str, Any]] = raw["types"]
        # Discriminators ("type": "must be photo") tell subtypes apart; plain strings can't.
        self._literals: dict[str, dict[str, str]] = {}
        for name, type_spec in self.types.items():
            for spec_field in type_spec.get("fields", []):
                match = _LITERAL_RE.search(spec_field["description"])
                if (
                    spec_field["name"] in {"type", "source", "status"}
                    and spec_field["required"]
                    and match
                ):
                    self._literals.setdefault(name, {})[spec_field["name"]] = match.group(1)

    @staticmethod
    @functools.cache
    def load(path: Path) -> BotAPISpec:
        """Parse each spec file once per process; a BotAPISpec is never mutated."""
        return BotAPISpec(path)

    def fields(self, method: str) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.methods[method].get("fields", [])}

    def check_value(self, value: Any, types: Sequence[str], path: str) -> list[str]:
        """Errors of ``value`` against a union of spec types; empty when any alternative fits."""
        attempts = [self._check_one(value, type_name, path) for type_name in types]
        return [] if not all(attempts) else min(attempts, key=len)

    def _check_one(self, value: Any, type_name: str, path: str) -> list[str]:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path}: expected {type_name}, got {type(value).__name__}"]
            item_type = type_name.removeprefix("Array of ")
            return [
                e
                for i, item in enumerate(value)
                for e in self._check_one(item, item_type, f"{path}[{i}]")
            ]
        if type_name in _PRIMITIVES:
            ok = {
                "Integer": isinstance(value, int) and not isinstance(value, bool),
                "Float": isinstance(value, int | float) and not isinstance(value, bool),
                "Boolean": isinstance(value, bool),
                "String": isinstance(value, str),
                "InputFile": isinstance(value, UploadedFile),
            }[type_name]
            return (
                []
                if ok
                else [f"{path}: expected {type_name}, got {type(value).__name__} {value!r:.60}"]
            )
        type_spec = self.types[type_name]
        if "subtypes" in type_spec:
            return self.check_value(value, type_spec["subtypes"], path)
        if not isinstance(value, dict):
            return [f"{path}: expected {type_name} object, got {type(value).__name__}"]
        return self._check_fields(value, type_spec.get("fields", []), type_name, path)

    def _check_fields(
        self, value: dict[str, Any], spec_fields: list[dict[str, Any]], owner: str, path: str
    ) -> list[str]:
        prefix = f"{path}." if path else ""
        known = {f["name"]: f for f in spec_fields}
        errors = [f"{prefix}{key}: unknown field of {owner}" for key in value if key not in known]
        for name, spec_field in known.items():
            if name not in value:
                if spec_field["required"]:
                    errors.append(f"{prefix}{name}: missing required field of {owner}")
                continue
            errors += self.check_value(value[name], spec_field["types"], f"{prefix}{name}")
        for name, literal in self._literals.get(owner, {}).items():
            if name in value and value[name] != literal:
                errors.append(f"{prefix}{name}: must be {literal!r} for {owner}")
        return errors

    def check_params(self, method: str, params: Mapping[str, Any]) -> list[str]:
        """Structural errors of a call: unknown/missing fields and wrong types, recursively."""
        return self._check_fields(dict(params), self.methods[method].get("fields", []), method, "")

    def check_object(self, value: Any, type_name: str) -> list[str]:
        return self._check_one(value, type_name, type_name)


def decode_form(
    spec: BotAPISpec, method: str, raw: Mapping[str, str | UploadedFile]
) -> tuple[dict[str, Any], dict[str, UploadedFile], list[str]]:
    """Turn multipart/urlencoded values into typed params as Telegram does.

    aiogram sends plain strings as-is and everything else JSON-encoded, so the
    spec type of each field decides whether to JSON-decode.  File parts that are
    not spec fields are attachments, valid only if referenced by ``attach://name``.
    Returns ``(params, attachments, errors)``.
    """
    fields = spec.fields(method)
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    errors: list[str] = []
    for key, value in raw.items():
        if key not in fields and isinstance(value, UploadedFile):
            files[key] = value
        elif key not in fields or isinstance(value, UploadedFile):
            params[key] = value
        else:
            params[key], error = _decode_field(key, value, fields[key]["types"])
            if error:
                errors.append(error)
    referenced = set(_attach_refs(params))
    errors += [
        f"{name}: {ATTACH_PREFIX}{name} refers to no uploaded file"
        for name in referenced - files.keys()
    ]
    errors += [
        f"{name}: unknown field (a file part not referenced by {ATTACH_PREFIX})"
        for name in files.keys() - referenced
    ]
    return params, files, errors


def _decode_field(key: str, value: str, types: Sequence[str]) -> tuple[Any, str | None]:
    if "String" in types:
        if "Integer" in types and _INT_RE.fullmatch(value):
            return int(value), None
        return value, None
    try:
        return json.loads(value), None
    except ValueError:
        return value, f"{key}: expected JSON-encoded {' or '.join(types)}, got {value!r:.60}"


def _attach_refs(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
        yield value.removeprefix(ATTACH_PREFIX)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _attach_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _attach_refs(item)


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> ParsedText:
    """Apply ``parse_mode`` like Telegram; raises ValueError (HTMLParseError) when it can't."""
    if not parse_mode:
        return ParsedText(text, list(entities or []))
    if parse_mode.lower() == "html":
        return parse_html(text)
    if parse_mode.lower() in {"markdown", "markdownv2"}:
        raise ValueError(f"parse_mode {parse_mode} is not checked by the fake API; use HTML")
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")


def _check_formatted(
    label: str, text: Any, parse_mode: Any, entities: Any, max_len: int, *, required: bool
) -> list[str]:
    if not isinstance(text, str) or not isinstance(parse_mode, str | None):
        return []  # type errors are reported by the structural check
    try:
        parsed = format_text(text, parse_mode, entities if isinstance(entities, list) else None)
    except ValueError as exc:
        return [f"{label}: can't parse entities: {exc}"]
    length = utf16_len(parsed.text)
    if required and not parsed.text.strip():
        return [f"{label}: is empty after entity parsing"]
    if length > max_len:
        return [
            f"{label}: too long: {length} UTF-16 code units after entity parsing (max {max_len})"
        ]
    return []


def _check_reply_markup(markup: Any) -> list[str]:
    if not isinstance(markup, dict):
        return []
    errors: list[str] = []
    for key in ("inline_keyboard", "keyboard"):
        rows = markup.get(key)
        for r, row in enumerate(rows if isinstance(rows, list) else []):
            for c, button in enumerate(row if isinstance(row, list) else []):
                if isinstance(button, dict):
                    errors += _check_button(
                        button, f"reply_markup.{key}[{r}][{c}]", inline=key == "inline_keyboard"
                    )
    return errors


def _check_button(button: dict[str, Any], path: str, *, inline: bool) -> list[str]:
    errors: list[str] = []
    text = button.get("text")
    if isinstance(text, str) and not text.strip():
        errors.append(f"{path}.text: button text must be non-empty")
    if not inline:
        return errors
    data = button.get("callback_data")
    if isinstance(data, str) and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
        errors.append(
            f"{path}.callback_data: BUTTON_DATA_INVALID: {len(data.encode('utf-8'))} bytes UTF-8 "
            f"(must be 1-{CALLBACK_DATA_MAX_BYTES})"
        )
    actions = sorted(button.keys() - _BUTTON_DECORATION)
    if len(actions) != 1:
        errors.append(
            f"{path}: an inline button needs exactly one action field "
            f"(url, callback_data, ...), got {actions}"
        )
    return errors


def _check_commands(commands: Any) -> list[str]:
    if not isinstance(commands, list):
        return []
    errors = [f"commands: at most {COMMANDS_MAX} commands"] if len(commands) > COMMANDS_MAX else []
    for i, command in enumerate(commands):
        if not isinstance(command, dict):
            continue
        name, description = command.get("command"), command.get("description")
        if isinstance(name, str) and not _COMMAND_RE.fullmatch(name):
            errors.append(
                f"commands[{i}].command: BOT_COMMAND_INVALID {name!r}: 1-32 of a-z, 0-9, _"
            )
        if isinstance(description, str) and not 1 <= len(description) <= 256:
            errors.append(f"commands[{i}].description: must be 1-256 characters")
    return errors


def _check_media_group(media: Any) -> list[str]:
    if not isinstance(media, list):
        return []
    errors = [] if 2 <= len(media) <= 10 else [f"media: must include 2-10 items, got {len(media)}"]
    kinds = {item.get("type") for item in media if isinstance(item, dict)}
    for exclusive in ("document", "audio"):
        if exclusive in kinds and len(kinds) > 1:
            errors.append(
                f"media: {exclusive}s can only be grouped with {exclusive}s, "
                f"got {sorted(map(str, kinds))}"
            )
    for i, item in enumerate(media):
        if isinstance(item, dict):
            errors += _check_formatted(
                f"media[{i}].caption",
                item.get("caption", ""),
                item.get("parse_mode"),
                item.get("caption_entities"),
                CAPTION_MAX,
                required=False,
            )
    return errors


def is_voice_note(data: bytes) -> bool:
    """An Ogg stream whose first page holds Opus's identification header (``OpusHead``).

    Telegram plays only such a file as a voice note: anything else sent with ``sendVoice``
    reaches the chat as a file (MP3 and M4A as music), which is never what a bot that masks
    voices means to send, so the fake refuses it.
    """
    if (
        len(data) < _OGG_PAGE_HEADER
        or not data.startswith(b"OggS")
        or not data[5] & _OGG_FIRST_PAGE
    ):
        return False
    packet = _OGG_PAGE_HEADER + data[26]
    return data[packet : packet + 8] == b"OpusHead"


def check_uploads(
    method: str, params: Mapping[str, Any], files: Mapping[str, UploadedFile]
) -> list[str]:
    """What Telegram requires of an uploaded file itself: a voice note is OGG/Opus."""
    voice = params.get("voice")
    if isinstance(voice, str) and voice.startswith(ATTACH_PREFIX):
        voice = files.get(voice.removeprefix(ATTACH_PREFIX))
    if method != "sendVoice" or not isinstance(voice, UploadedFile) or is_voice_note(voice.data):
        return []
    return [
        f"voice: {voice.filename!r} is not OGG/Opus: Telegram would show a file, not a voice note"
    ]


def check_limits(method: str, params: Mapping[str, Any]) -> list[str]:
    """Telegram's documented limits that the JSON spec can't express."""
    errors: list[str] = []
    parse_mode = params.get("parse_mode")
    if method in {"sendMessage", "editMessageText"} and "text" in params:
        errors += _check_formatted(
            "text", params["text"], parse_mode, params.get("entities"), TEXT_MAX, required=True
        )
    if "caption" in params:
        errors += _check_formatted(
            "caption",
            params["caption"],
            parse_mode,
            params.get("caption_entities"),
            CAPTION_MAX,
            required=False,
        )
    errors += _check_reply_markup(params.get("reply_markup"))
    text = params.get("text")
    if (
        method == "answerCallbackQuery"
        and isinstance(text, str)
        and len(text) > CALLBACK_ANSWER_MAX
    ):
        errors.append(
            f"text: callback answer is {len(text)} characters (max {CALLBACK_ANSWER_MAX})"
        )
    if method == "setMyCommands":
        errors += _check_commands(params.get("commands"))
    if method == "sendMediaGroup":
        errors += _check_media_group(params.get("media"))
    ids = params.get("message_ids")
    if method == "deleteMessages" and isinstance(ids, list) and not 1 <= len(ids) <= 100:
        errors.append(f"message_ids: {len(ids)} identifiers (1 to 100)")
    description = params.get("description")
    if (
        method == "setMyDescription"
        and isinstance(description, str)
        and len(description) > DESCRIPTION_MAX
    ):
        errors.append(f"description: {len(description)} characters (max {DESCRIPTION_MAX})")
    short = params.get("short_description")
    if (
        method == "setMyShortDescription"
        and isinstance(short, str)
        and len(short) > SHORT_DESCRIPTION_MAX
    ):
        errors.append(f"short_description: {len(short)} characters (max {SHORT_DESCRIPTION_MAX})")
    if method == "sendChatAction" and params.get("action") not in CHAT_ACTIONS:
        errors.append(f"action: wrong parameter action {params.get('action')!r}")
    return errors
