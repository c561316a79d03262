"""Images and videos sent as files lose their metadata: an image's pixels are encoded again, a
video's metadata boxes are erased in place (``bot.video_metadata``).

Telegram recompresses photos sent as photos, which drops their EXIF; a file sent as a document
arrives as it was made, with the camera, the author, GPS coordinates, XMP, comments, PNG text
chunks and an ICC profile that may name the device. A JPEG, PNG or WebP file is decoded here,
turned upright by its EXIF orientation, and written again in its own format from a new image
that holds nothing but the pixels. Anything else, or a file that cannot be read safely, is kept
as sent and marked as not cleaned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import (
    Image,
    ImageCms,
    ImageOps,
    JpegImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,  # noqa: F401  (registers WebP, which Pillow loads lazily)
)

from bot.video_metadata import strip_video_metadata

logger = logging.getLogger(__name__)

JPEG_QUALITY = 95
READ_FORMATS = ("JPEG", "PNG", "WEBP")
# Pillow's format name -> the format written back. A JPEG with further frames (a depth map, a
# preview) opens as MPO: its first frame is the picture.
_WRITTEN_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}


@dataclass(frozen=True, slots=True)
class Stripped:
    data: bytes
    cleaned: bool


def strip_metadata(data: bytes) -> Stripped:
    """The image or video without metadata, or ``data`` unchanged when it is not one we clean.

    CPU-bound (decoding up to Pillow's ``MAX_IMAGE_PIXELS``): run it in a thread.
    """
    try:
        clean = _reencode(data)
    except UnidentifiedImageError:
        clean = strip_video_metadata(data)
    except Exception as exc:  # Pillow's decoders raise many kinds of error on malformed input
        logger.info("An image file could not be cleaned (%s); kept as sent", type(exc).__name__)
        clean = None
    return Stripped(data, cleaned=False) if clean is None else Stripped(clean, cleaned=True)


def _reencode(data: bytes) -> bytes | None:
    with Image.open(BytesIO(data), formats=READ_FORMATS) as opened:
        limit = Image.MAX_IMAGE_PIXELS
        if limit is not None and opened.width * opened.height > limit:
            # Pillow only refuses twice its limit; up to that, decoding would still take memory.
            raise Image.DecompressionBombError(f"{opened.width}x{opened.height} pixels")
        if opened.format != "MPO" and getattr(opened, "n_frames", 1) > 1:
            return None  # an animation would lose its frames
        written_as = _WRITTEN_AS[opened.format or ""]
        options: dict[str, Any] = {}
        if written_as == "JPEG":
            options = {"quality": JPEG_QUALITY, "subsampling": JpegImagePlugin.get_sampling(opened)}
        elif written_as == "WEBP":
            options = {"quality": JPEG_QUALITY}
        upright = ImageOps.exif_transpose(opened)
        pixels = _pixels_only(_in_srgb(upright, opened.info.get("icc_profile")))
    buffer = BytesIO()
    pixels.save(buffer, format=written_as, **options)
    return buffer.getvalue()


def _in_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Colours converted from an embedded profile to sRGB, so the profile can be left out."""
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(BytesIO(icc)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile is dropped all the same; colours may shift a little


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image from the pixels alone: no ``info``, so nothing else can be written back."""
    if image.mode in ("P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())
