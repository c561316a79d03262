"""JPEG and PNG images inside documents lose their EXIF, XMP and text without being decoded.

Pictures pasted into a document or a PDF keep the camera's metadata (GPS, device, time). Decoding
them would cost memory per pixel; instead their segments and chunks are walked and only those that
carry pixels or colours are copied. Other data is returned as it is; a JPEG or PNG that does not
walk cleanly raises ``ValueError``, so that its document is not called clean.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Pixels, palette, transparency, colour and animation: nothing that can name a person or place.
_PNG_KEPT = frozenset(
    {
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB",
        b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
    }
)  # fmt: skip
# JPEG markers kept before the picture data: JFIF (APP0), Adobe's colour transform (APP14) and
# everything that is not an application segment or a comment (tables, frame and scan headers).
_APP0, _APP14, _APP15, _COM, _SOS, _EOI = 0xE0, 0xEE, 0xEF, 0xFE, 0xDA, 0xD9
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


def strip_image(data: bytes) -> bytes:
    """A JPEG or PNG without its metadata; anything else unchanged."""
    if data.startswith(b"\xff\xd8"):
        stripped = _walk(_strip_jpeg, data)
    elif data.startswith(_PNG_SIGNATURE):
        stripped = _walk(_strip_png, data)
    else:
        return data
    if stripped is None:
        raise ValueError("a picture whose segments do not add up")
    return stripped


def _walk(strip: Callable[[bytes], bytes | None], data: bytes) -> bytes | None:
    try:
        return strip(data)
    except (IndexError, struct.error):
        return None


def _strip_jpeg(data: bytes) -> bytes | None:
    out = bytearray(b"\xff\xd8")
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in _STANDALONE:
            out += data[position : position + 2]
            position += 2
            continue
        if marker == _EOI:
            out += b"\xff\xd9"
            return bytes(out)  # what follows (a second picture with its own EXIF) is dropped
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(data):
            return None
        kept = not (_APP0 < marker <= _APP15 and marker != _APP14) and marker != _COM
        if kept:
            out += data[position:end]
        position = end
        if marker == _SOS:
            scan_end = _end_of_scan(data, position)
            out += data[position:scan_end]
            position = scan_end
            if position == len(data):
                return bytes(out)  # no end marker: readers show what is there, and so do we
    return None


def _end_of_scan(data: bytes, position: int) -> int:
    """Where the entropy-coded data after a scan header ends: the next marker that is not a
    stuffed byte or a restart (or the end, for a file cut short of its end marker)."""
    while True:
        position = data.find(b"\xff", position)
        if position == -1 or position + 1 == len(data):
            return len(data)
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position += 1
            continue
        return position


def _strip_png(data: bytes) -> bytes | None:
    out = bytearray(_PNG_SIGNATURE)
    position = len(_PNG_SIGNATURE)
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            return None
        if kind in _PNG_KEPT:
            out += data[position:end]
        if kind == b"IEND":
            return bytes(out)
        position = end
    return None
