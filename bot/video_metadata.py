"""Videos (MP4, MOV, 3GP) lose where, with what and when they were filmed.

These files are trees of boxes. The user data (``udta``: Apple's ``©xyz`` location, ``©mak`` and
``©mod`` for the device), the metadata (``meta``: QuickTime keys such as
``com.apple.quicktime.location.ISO6709``) and vendor boxes (``uuid``: XMP) become ``free`` boxes
of the same size with their bytes zeroed, and the creation and modification times of the movie,
its tracks and their media become zero. Nothing moves, so every offset into the media data stays
right and the video plays as before.
"""

from __future__ import annotations

CONTAINERS = frozenset({b"moov", b"trak", b"mdia", b"minf"})
ERASED = frozenset({b"udta", b"meta", b"uuid"})
TIMED = frozenset({b"mvhd", b"tkhd", b"mdhd"})
# Still images in the same box format (HEIC, AVIF): their picture lives in ``meta``.
IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
)


class _Malformed(Exception):
    pass


def strip_video_metadata(data: bytes) -> bytes | None:
    """The video with its metadata erased in place; None for anything that is not a video file
    whose boxes add up."""
    if len(data) < 16 or data[4:8] != b"ftyp" or data[8:12] in IMAGE_BRANDS:
        return None
    video = bytearray(data)
    try:
        kinds = _erase(video, 0, len(video), top=True)
    except _Malformed:
        return None
    return bytes(video) if b"moov" in kinds else None


def _erase(video: bytearray, start: int, end: int, *, top: bool = False) -> set[bytes]:
    """Walk the boxes between ``start`` and ``end``; the kinds met at this level."""
    kinds: set[bytes] = set()
    position = start
    while position < end:
        size, header = _box_size(video, position, end, top=top)
        kind = bytes(video[position + 4 : position + 8])
        body, box_end = position + header, position + size
        if kind in ERASED:
            video[position + 4 : position + 8] = b"free"
            video[body:box_end] = bytes(box_end - body)
        elif kind in TIMED:
            _zero_times(video, body, box_end)
        elif kind in CONTAINERS:
            _erase(video, body, box_end)
        kinds.add(kind)
        position = box_end
    return kinds


def _box_size(video: bytearray, position: int, end: int, *, top: bool) -> tuple[int, int]:
    """The box's size and its header's, checked to fit within ``end``."""
    if end - position < 8:
        raise _Malformed
    size, header = int.from_bytes(video[position : position + 4], "big"), 8
    if size == 1:
        if end - position < 16:
            raise _Malformed
        size, header = int.from_bytes(video[position + 8 : position + 16], "big"), 16
    elif size == 0 and top:
        size = end - position
    if size < header or position + size > end:
        raise _Malformed
    return size, header


def _zero_times(video: bytearray, body: int, end: int) -> None:
    """A full box: version and flags, then creation and modification times of 4 or 8 bytes."""
    if body >= end:
        raise _Malformed
    width = 8 if video[body] == 1 else 4
    times = slice(body + 4, body + 4 + 2 * width)
    if times.stop > end:
        raise _Malformed
    video[times] = bytes(2 * width)
