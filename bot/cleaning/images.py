"""Images sent as files lose their metadata: the pixels are encoded again into a new file.

Telegram recompresses photos sent as photos, which drops their EXIF; a file sent as a document
arrives as it was made, with the camera, the author, GPS coordinates, XMP, comments, PNG text
chunks and an ICC profile that may name the device. A JPEG, PNG or WebP file is decoded here,
turned upright by its EXIF orientation, and written again in its own format from an image that
holds nothing but the pixels.

Runs only inside the cleaning sandbox (``bot.cleaning.child``), on untrusted bytes: the dimensions
are read from the header and checked against a pixel budget before any pixel is decoded (a JPEG over
it is decoded reduced, by the decoder's own scaling), and every step works on the one decoded
image instead of making copies of it.
"""

from __future__ import annotations

from io import BytesIO
from typing import IO, Any, cast

from PIL import (
    Image,
    ImageCms,
    ImageOps,
    JpegImagePlugin,
    WebPImagePlugin,  # noqa: F401  (registers WebP, which Pillow loads lazily)
)

JPEG_QUALITY = 95
READ_FORMATS = ("JPEG", "PNG", "WEBP")
# Pillow's format name -> the format written back. A JPEG with further frames (a depth map, a
# preview) opens as MPO: its first frame is the picture.
_WRITTEN_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_JPEG_SCALES = (2, 4, 8)
"""The reductions a JPEG decoder makes while decoding (``Image.draft``)."""
WEBP_COST = 2
"""Pillow reads a WebP through a decoder that keeps its own canvas and a copy of the frame beside
the picture: a WebP gets this fraction of the pixel budget."""


class TooLarge(Exception):
    """More pixels than the budget, even reduced: refused before any pixel is decoded."""


class Animated(Exception):
    """An animation would lose its frames: not cleaned, kept as sent."""


def clean_image(data: bytes, max_pixels: int, output: IO[bytes]) -> None:
    """Write the picture of ``data``, without its metadata, to ``output``.

    Raises ``TooLarge`` or ``Animated``; any other exception means the file could not be read.
    """
    # Our own budget, checked below, replaces Pillow's warning and its refusal at twice its own.
    Image.MAX_IMAGE_PIXELS = None
    _within(_webp_canvas(data), max_pixels // WEBP_COST)
    image = Image.open(BytesIO(data), formats=READ_FORMATS)
    written_as = _WRITTEN_AS[image.format or ""]
    if written_as == "JPEG":
        _reduce(image, max_pixels)
    _within(image.size, max_pixels // WEBP_COST if written_as == "WEBP" else max_pixels)
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise Animated
    options: dict[str, Any] = {}
    if written_as == "JPEG":
        options = {"quality": JPEG_QUALITY, "subsampling": JpegImagePlugin.get_sampling(image)}
    elif written_as == "WEBP":
        options = {"quality": JPEG_QUALITY}
    icc = image.info.get("icc_profile")
    ImageOps.exif_transpose(image, in_place=True)
    pixels = _pixels_only(_in_srgb(image, icc))
    pixels.save(output, format=written_as, **options)


def _within(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise TooLarge(f"{width}x{height}")


def _webp_canvas(data: bytes) -> tuple[int, int]:
    """The size a WebP file declares, read here because Pillow's WebP reader allocates the whole
    canvas as it opens the file; (0, 0) for anything else (Pillow reads their size first)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return 0, 0
    chunk = data[12:16]
    if chunk == b"VP8X":  # extended: the canvas, 24 bits each, minus one
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L":  # lossless: 14 bits each, minus one, after a signature byte
        bits = int.from_bytes(data[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 ":  # lossy: 14 bits each, after the frame tag and start code
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    return 0, 0


def _reduce(image: Image.Image, max_pixels: int) -> None:
    """A JPEG over the budget is decoded at a half, a quarter or an eighth of its size."""
    width, height = image.size
    if width * height <= max_pixels:
        return
    fits = (s for s in _JPEG_SCALES if -(-width // s) * -(-height // s) <= max_pixels)
    scale = next(fits, _JPEG_SCALES[-1])
    # The decoder takes the largest scale that keeps at least this size; it can be set once.
    image.draft(image.mode, (max(1, width // scale), max(1, height // scale)))


def _in_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Colours converted from an embedded profile to sRGB, so the profile can be left out.

    In place when the mode stays (an RGB photo with a Display P3 profile); a CMYK picture becomes
    a new RGB image and the CMYK one is released at once.
    """
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        profile = ImageCms.ImageCmsProfile(BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        if image.mode == "CMYK":
            converted = ImageCms.profileToProfile(image, profile, srgb, outputMode="RGB")
            image.close()
            return cast(Image.Image, converted)  # a new image whenever not in place
        ImageCms.profileToProfile(image, profile, srgb, inPlace=True)
    except (ImageCms.PyCMSError, OSError, ValueError):
        pass  # an unreadable profile is dropped all the same; colours may shift a little
    return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """An image with the pixels alone and nothing else that could be written back.

    Pillow's writers read EXIF, the ICC profile, comments and text chunks from ``info`` and from
    the file's own attributes; a new ``Image`` around the same decoded pixels has none of them,
    and costs no copy of the pixels.
    """
    if image.mode in ("P", "PA") or "transparency" in image.info:
        converted = image.convert("RGBA" if image.has_transparency_data else "RGB")
        image.close()
        image = converted
    return Image.Image()._new(image.im)
