"""Evidence files carrying what a phone or a camera writes, and PNGs claiming any size."""

from __future__ import annotations

import zlib
from io import BytesIO
from typing import Any

from PIL import Image

from tests.support.mp4 import box, movie, nal_sample, video

MAKE = "SecretCamMaker"


MODEL = "SecretCam Model X1"


XMP_MARKER = b"XMP-SECRET-CREATOR"


XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>' + XMP_MARKER + b"</dc:creator></x:xmpmeta>"
)


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header (with a valid CRC) announces ``width`` x ``height`` pixels."""
    data = bytearray(encoded(Image.new("L", (1, 1)), "PNG"))
    header = b"IHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = zlib.crc32(header).to_bytes(4, "big")
    return bytes(data)


LOCATION = b"+43.2389+076.8897/"


MEDIA = nal_sample(bytes(range(256)) * 8)


def video_with_metadata() -> bytes:
    """A QuickTime file as a phone writes it: Apple's location keys, ©xyz, the camera, XMP, and
    the times of filming in the movie, track (version 1, 64-bit) and media headers."""
    keys = box(
        b"meta",
        bytes(4),
        box(b"keys", b"com.apple.quicktime.location.ISO6709"),
        box(b"ilst", LOCATION),
    )
    places = box(b"udta", box(b"\xa9xyz", bytes(4), LOCATION), box(b"\xa9mak", MAKE.encode()))
    camera = box(b"udta", box(b"\xa9mod", MODEL.encode()))
    return movie(
        video(MEDIA, extra=(camera,)),
        before=(box(b"uuid", bytes(16), XMP),),
        in_movie=(places, keys),
    ).data
