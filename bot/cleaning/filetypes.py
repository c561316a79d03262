"""What a file is, told by its first bytes: never by the name the reporter's phone gave it.

The name can carry the moment of capture (``IMG_20260512_143512.jpg``), a person's name
(``Scan_<surname>.pdf``) or a right-to-left override that disguises one extension as another, so
it is neither stored nor sent. Only the extension and MIME type found here are, and they decide
which cleaner, if any, reads the file (``bot.cleaning.sandbox``). Reading a few signature bytes
decodes nothing, so this runs in the bot's own process.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Cleaner(StrEnum):
    """The cleaner that reads a file of this type in the sandbox; NONE: kept as sent."""

    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    DOCUMENT = "document"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class FileType:
    extension: str
    mime_type: str
    cleaner: Cleaner = Cleaner.NONE


UNKNOWN = FileType("bin", "application/octet-stream")
# Still images in the ISO box format: their picture lives in ``meta``, which no cleaner here reads.
IMAGE_BRANDS = {
    b"heic": "heic",
    b"heix": "heic",
    b"hevc": "heic",
    b"hevx": "heic",
    b"heim": "heic",
    b"heis": "heic",
    b"mif1": "heic",
    b"msf1": "heic",
    b"avif": "avif",
    b"avis": "avif",
}
_PREFIXES = (
    (b"\xff\xd8\xff", FileType("jpg", "image/jpeg", Cleaner.IMAGE)),
    (b"\x89PNG\r\n\x1a\n", FileType("png", "image/png", Cleaner.IMAGE)),
    (b"GIF87a", FileType("gif", "image/gif")),
    (b"GIF89a", FileType("gif", "image/gif")),
    (b"%PDF-", FileType("pdf", "application/pdf", Cleaner.DOCUMENT)),
    (b"PK\x03\x04", FileType("zip", "application/zip", Cleaner.DOCUMENT)),
    (b"OggS", FileType("ogg", "audio/ogg", Cleaner.AUDIO)),
    (b"ID3", FileType("mp3", "audio/mpeg", Cleaner.AUDIO)),
    (b"fLaC", FileType("flac", "audio/flac", Cleaner.AUDIO)),
    (b"#!AMR", FileType("amr", "audio/amr", Cleaner.AUDIO)),
    (b"\x1a\x45\xdf\xa3", FileType("mkv", "video/x-matroska")),
    (b"Rar!\x1a\x07", FileType("rar", "application/vnd.rar")),
    (b"7z\xbc\xaf\x27\x1c", FileType("7z", "application/x-7z-compressed")),
    (b"\x1f\x8b", FileType("gz", "application/gzip")),
    (b"II*\x00", FileType("tif", "image/tiff")),
    (b"MM\x00*", FileType("tif", "image/tiff")),
    (b"{\\rtf", FileType("rtf", "application/rtf")),
)
_RIFF = {
    b"WEBP": FileType("webp", "image/webp", Cleaner.IMAGE),
    b"WAVE": FileType("wav", "audio/wav", Cleaner.AUDIO),
    b"AVI ": FileType("avi", "video/x-msvideo"),
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream that names an old Office file's application, as it appears in its directory.
_OLE_STREAMS = (
    ("WordDocument", FileType("doc", "application/msword")),
    ("Workbook", FileType("xls", "application/vnd.ms-excel")),
    ("PowerPoint Document", FileType("ppt", "application/vnd.ms-powerpoint")),
)
_MP3_FRAME = (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")
_ADTS_FRAME = (b"\xff\xf1", b"\xff\xf9")
MP3 = FileType("mp3", "audio/mpeg", Cleaner.AUDIO)
VOICE = FileType("ogg", "audio/ogg", Cleaner.AUDIO)
"""What every masked recording is: OGG/Opus, a Telegram voice note."""
_DOCUMENT_MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}


def detect(data: bytes) -> FileType:
    """The type of ``data`` by its signature; ``bin`` when none is known."""
    for prefix, found in _PREFIXES:
        if data.startswith(prefix):
            return found
    if data[:4] == b"RIFF" and data[8:12] in _RIFF:
        return _RIFF[data[8:12]]
    if data[4:8] == b"ftyp":
        return _boxed(data[8:12])
    if data.startswith(_OLE):
        return next((t for name, t in _OLE_STREAMS if name.encode("utf-16-le") in data), UNKNOWN)
    if data[:2] in _MP3_FRAME:
        return MP3
    if data[:2] in _ADTS_FRAME:
        return FileType("aac", "audio/aac", Cleaner.AUDIO)
    return _text(data)


def with_extension(found: FileType, extension: str) -> FileType:
    """A document whose cleaner named it more exactly than its signature (``zip`` -> ``docx``)."""
    return FileType(extension, _DOCUMENT_MIME.get(extension, found.mime_type), found.cleaner)


def _boxed(brand: bytes) -> FileType:
    """An ISO base media file (MP4, MOV, 3GP, M4A, HEIC) by its major brand."""
    if brand in IMAGE_BRANDS:
        extension = IMAGE_BRANDS[brand]
        return FileType(extension, f"image/{extension}")
    if brand == b"qt  ":
        return FileType("mov", "video/quicktime", Cleaner.VIDEO)
    if brand.startswith(b"3g"):
        return FileType("3gp", "video/3gpp", Cleaner.VIDEO)
    if brand in (b"M4A ", b"M4B "):
        return FileType("m4a", "audio/mp4", Cleaner.AUDIO)
    return FileType("mp4", "video/mp4", Cleaner.VIDEO)


def _text(data: bytes) -> FileType:
    if not data or b"\x00" in data:
        return UNKNOWN
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return UNKNOWN
    return FileType("txt", "text/plain")
