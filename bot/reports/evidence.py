"""Evidence files from Telegram: what a message carries, and fetching it through the Bot API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

from aiogram import Bot
from aiogram.types import Message

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FILES = 10


class FileKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    VIDEO = "video"
    VOICE = "voice"
    AUDIO = "audio"


# Kinds whose content or metadata may identify the sender when the bot could not clean them
# (EXIF/GPS in documents, a video's place and device, a voice).
IDENTIFYING_KINDS = frozenset({FileKind.DOCUMENT, FileKind.VIDEO, FileKind.VOICE, FileKind.AUDIO})


class FileTooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """A file as Telegram announces it. Not its name: the name a phone gives a file can carry
    the moment of capture or a person's name, so it is never read (``bot.cleaning.filetypes``).
    ``unique_id`` is Telegram's ``file_unique_id``: the same for every copy of one file (the
    ``file_id`` differs between sends), so a file sent again is recognised without a download."""

    file_id: str
    kind: FileKind
    size: int | None
    caption: str | None = None
    unique_id: str | None = None


def incoming_file(message: Message) -> IncomingFile | None:
    """The file a message carries, with its caption: words typed with a file are kept too."""
    caption = message.caption
    if message.photo:
        largest = message.photo[-1]
        return IncomingFile(
            largest.file_id, FileKind.PHOTO, largest.file_size, caption, largest.file_unique_id
        )
    for kind, media in (
        (FileKind.DOCUMENT, message.document),
        (FileKind.VIDEO, message.video),
        (FileKind.AUDIO, message.audio),
    ):
        if media is not None:
            return IncomingFile(media.file_id, kind, media.file_size, caption, media.file_unique_id)
    if message.voice:
        voice = message.voice
        return IncomingFile(
            voice.file_id, FileKind.VOICE, voice.file_size, caption, voice.file_unique_id
        )
    return None


async def download(bot: Bot, file: IncomingFile) -> bytes:
    """getFile, then the file URL; refuses anything over the Bot API's 20 MB download limit."""
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise FileTooLarge
    remote = await bot.get_file(file.file_id)
    if remote.file_size is not None and remote.file_size > MAX_FILE_BYTES:
        raise FileTooLarge
    if remote.file_path is None:
        raise FileTooLarge
    buffer = BytesIO()
    await bot.download_file(remote.file_path, destination=buffer)
    data = buffer.getvalue()
    if len(data) > MAX_FILE_BYTES:
        raise FileTooLarge
    return data
