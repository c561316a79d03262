"""Hostile evidence files, made on the spot: for the sandbox's tests and its benchmark."""

from __future__ import annotations

import functools
import zipfile
from io import BytesIO

from PIL import ExifTags, Image, ImageCms

from tests.support.media import encoded, png_claiming
from tests.support.mp4 import box

MB = 1024 * 1024
AT_BUDGET = (4608, 3456)
"""15.9 megapixels: the largest picture the sandbox cleans (``SandboxLimits.max_pixels``)."""
CMYK_SIZE = (10_000, 7_000)
"""280 MB decoded in full, more than a cleaning child may hold: it is decoded at a quarter."""


@functools.cache
def webp_bomb() -> bytes:
    """The reviewer's bomb: a lossless WebP of 9,400 × 9,400 white pixels, about 3.4 KB."""
    return encoded(Image.new("RGB", (9400, 9400), "white"), "WEBP", lossless=True)


@functools.cache
def png_with_icc(width: int, height: int) -> bytes:
    """The costliest picture to clean: turned upright (EXIF orientation 6) and converted from
    its ICC profile, with a gradient so that it is no single colour."""
    ramp = Image.linear_gradient("L").resize((width, height))
    picture = Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp))
    orientation = Image.Exif()
    orientation[ExifTags.Base.Orientation] = 6
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encoded(picture, "PNG", icc_profile=icc, exif=orientation, compress_level=1)


@functools.cache
def cmyk_jpeg(width: int, height: int) -> bytes:
    return encoded(Image.new("CMYK", (width, height), (10, 200, 30, 40)), "JPEG", quality=80)


def huge_png() -> bytes:
    """A 67-byte PNG that declares 65,535 × 65,535 pixels."""
    return png_claiming(65_535, 65_535)


def nested_video(depth: int = 1200) -> bytes:
    """A video whose movie box holds ``depth`` boxes, each inside the previous one."""
    inner = box(b"free")
    for level in range(depth):
        inner = box((b"trak", b"mdia", b"minf", b"moov")[level % 4], inner)
    return box(b"ftyp", b"isom", bytes(4), b"isom") + box(b"moov", inner) + box(b"mdat", bytes(64))


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


@functools.cache
def docx_bomb(unpacked: int = 300 * MB) -> bytes:
    """A Word document whose body unpacks to ``unpacked`` bytes from a few hundred KB."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as body:
            chunk = b" " * MB
            for _ in range(unpacked // MB):
                body.write(chunk)
    return buffer.getvalue()
