"""What a broadcast says: one version per language, each formatted text with an optional file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup, Message

from bot.ui.formatting import utf16_length

MAX_TEXT = 4096
MAX_CAPTION = 1024


class MediaKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class VersionProblem(StrEnum):
    UNSUPPORTED = "unsupported"
    EMPTY = "empty"
    CAPTION_TOO_LONG = "caption_too_long"
    TEXT_TOO_LONG = "text_too_long"
    ALBUM = "album"


@dataclass(frozen=True, slots=True)
class Version:
    text: str
    """HTML, as the admin formatted it (or as a template gives it)."""
    media: MediaKind | None = None
    file_id: str | None = None

    @classmethod
    def from_message(cls, message: Message) -> Version | VersionProblem:
        """The admin's message as subscribers will get it: text, or one photo or document."""
        if message.media_group_id:
            return VersionProblem.ALBUM
        if message.text:
            if utf16_length(message.text) > MAX_TEXT:
                return VersionProblem.TEXT_TOO_LONG
            return cls(message.html_text)
        media = _media_of(message)
        if media is None:
            return VersionProblem.UNSUPPORTED
        kind, file_id = media
        if utf16_length(message.caption or "") > MAX_CAPTION:
            return VersionProblem.CAPTION_TOO_LONG
        return cls(message.html_text if message.caption else "", kind, file_id)

    def to_dict(self) -> dict[str, str | None]:
        return {"text": self.text, "media": self.media, "file_id": self.file_id}

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> Version:
        media = data.get("media")
        return cls(data.get("text") or "", MediaKind(media) if media else None, data.get("file_id"))


@dataclass(frozen=True, slots=True)
class Content:
    versions: dict[str, Version]

    def for_locale(self, locale: str) -> Version:
        """The subscriber's language, or the other one when the admin wrote only one."""
        return self.versions.get(locale) or next(iter(self.versions.values()))

    def pack(self) -> bytes:
        return json.dumps({k: v.to_dict() for k, v in self.versions.items()}).encode()

    @classmethod
    def unpack(cls, blob: bytes) -> Content:
        return cls({k: Version.from_dict(v) for k, v in json.loads(blob).items()})


async def send_version(
    bot: Bot, chat_id: int, version: Version, markup: InlineKeyboardMarkup | None = None
) -> Message:
    """Send one version exactly as every subscriber gets it (the admin's preview included)."""
    caption = version.text or None
    if version.media is MediaKind.PHOTO:
        return await bot.send_photo(
            chat_id, version.file_id or "", caption=caption, reply_markup=markup
        )
    if version.media is MediaKind.DOCUMENT:
        return await bot.send_document(
            chat_id, version.file_id or "", caption=caption, reply_markup=markup
        )
    return await bot.send_message(chat_id, version.text, reply_markup=markup)


def _media_of(message: Message) -> tuple[MediaKind, str] | None:
    if message.photo:
        return MediaKind.PHOTO, message.photo[-1].file_id
    if message.document:
        return MediaKind.DOCUMENT, message.document.file_id
    return None
