"""A local fake Telegram Bot API server that validates every request; see README.md."""

from .html import HTMLParseError, ParsedText, parse_html, utf16_len
from .server import (
    ApiError,
    FakeBotAPI,
    FakeChat,
    FakeUser,
    RecordedRequest,
    SentMessage,
    StoredFile,
)
from .validation import BotAPISpec, UploadedFile, is_voice_note

__all__ = [
    "ApiError",
    "BotAPISpec",
    "FakeBotAPI",
    "FakeChat",
    "FakeUser",
    "HTMLParseError",
    "ParsedText",
    "RecordedRequest",
    "SentMessage",
    "StoredFile",
    "UploadedFile",
    "is_voice_note",
    "parse_html",
    "utf16_len",
]
