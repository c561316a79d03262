"""A case's evidence files as officers get them: opened, named by the case and their place in it.

The name is ``case-<number>-<place>.<type>``, never the reporter's name for the file (an older
row's meta may still hold that: it is not read). The type is the one found in the content when
the file was stored; rows stored before it was recorded have theirs found in their content now.
The chats get the files from the outbox (bot/cases/delivery.py), the workspace from its case page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.cleaning.filetypes import VOICE, detect
from bot.reports.evidence import FileKind
from bot.security.crypto import Cipher
from storage.attachments import AttachmentRow, AttachmentsRepository

IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
"""Images a browser may show as they are: the types the cleaner rewrites (bot.cleaning)."""


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    id: str
    kind: FileKind
    size: int
    name: str
    extension: str
    cleaned: bool
    caption: str | None
    masked: bool = False
    """The voice in it was changed by the bot (bot.cleaning.voice)."""
    voice_kept: bool = False
    """A cleaned video whose sound the bot could not mask."""

    @property
    def image_type(self) -> str | None:
        """The content type of an image shown inline; None for any other file."""
        return IMAGE_TYPES.get(self.extension)

    @property
    def audio_type(self) -> str | None:
        """The content type of a voice played inline: a masked one only (OGG/Opus). A voice
        stored before masking existed is as spoken, and stays a download."""
        return VOICE.mime_type if self.masked and self.kind is FileKind.VOICE else None


class EvidenceFiles:
    def __init__(self, *, attachments: AttachmentsRepository, cipher: Cipher) -> None:
        self._attachments = attachments
        self._cipher = cipher

    async def of_case(self, report_id: str, number: int) -> list[EvidenceFile]:
        """The case's files, oldest first, without their content where their meta suffices."""
        files = []
        for ordinal, row in enumerate(await self._attachments.listed(report_id), start=1):
            meta = _meta(self._cipher, row.id, row.meta)
            extension = meta.get("extension") or detect(await self._data(row.id)).extension
            files.append(_file(row.id, row.kind, row.size, meta, number, ordinal, extension))
        return files

    async def opened(
        self, report_id: str, number: int, attachment_id: str
    ) -> tuple[EvidenceFile, bytes] | None:
        """One of the case's files with its content; None if the case has no such file."""
        ids = [row.id for row in await self._attachments.listed(report_id)]
        row = await self._attachments.get(attachment_id) if attachment_id in ids else None
        return None if row is None else open_file(self._cipher, row, number, ids.index(row.id) + 1)

    async def _data(self, attachment_id: str) -> bytes:
        row = await self._attachments.get(attachment_id)
        return b"" if row is None else self._cipher.open(row.data, f"attachments:{row.id}:data")


def open_file(
    cipher: Cipher, row: AttachmentRow, number: int, ordinal: int
) -> tuple[EvidenceFile, bytes]:
    """A stored file, the ``ordinal``-th of case ``number``, and its content."""
    data = cipher.open(row.data, f"attachments:{row.id}:data")
    meta = _meta(cipher, row.id, row.meta)
    extension = meta.get("extension") or detect(data).extension
    return _file(row.id, row.kind, row.size, meta, number, ordinal, extension), data


def _file(
    attachment_id: str,
    kind: str,
    size: int,
    meta: dict[str, Any],
    number: int,
    ordinal: int,
    extension: str,
) -> EvidenceFile:
    return EvidenceFile(
        id=attachment_id,
        kind=FileKind(kind),
        size=size,
        name=f"case-{number}-{ordinal}.{extension}",
        extension=extension,
        cleaned=bool(meta.get("cleaned")),
        caption=meta.get("caption"),
        masked=meta.get("masked") is True,
        voice_kept=meta.get("voice_kept") is True,
    )


def _meta(cipher: Cipher, attachment_id: str, sealed: bytes) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(cipher.open(sealed, f"attachments:{attachment_id}:meta"))
    return meta
