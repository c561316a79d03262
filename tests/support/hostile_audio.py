"""Hostile recordings, made on the spot: for the tests of voice masking's budgets.

The silence bomb is built frame by frame rather than encoded: FFmpeg would take minutes to
encode ten hours, and would write their length into the header, where the decoder could refuse
the file without reading it. Here the header says nothing of the length, and only decoding
tells.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

FLAC_RATE = 8_000
FLAC_BITS = 16
FLAC_BLOCK = 65_535
"""The longest FLAC frame: each holds eight seconds of silence in 15 bytes at most."""
TEN_HOURS = 10 * 3600
_SYNC = 0xFFF8
"""The frame sync code, then a zero bit and the fixed-blocksize strategy."""
_BLOCK_AT_END = 0x7
"""The block size is in the 16 bits after the frame number (as size - 1)."""
_EIGHT_KHZ = 0x4
_MONO = 0x0
_SIXTEEN_BITS = 0x4
_CONSTANT = 0x00
"""A subframe whose every sample is the one value that follows."""


def crc(data: bytes, polynomial: int, width: int) -> int:
    """The CRC FLAC puts at the end of a frame header (8 bits, 0x07) and of a frame (16 bits,
    0x8005): MSB first, starting from zero."""
    top, mask, value = 1 << (width - 1), (1 << width) - 1, 0
    for byte in data:
        value ^= byte << (width - 8)
        for _bit in range(8):
            value = ((value << 1) ^ polynomial if value & top else value << 1) & mask
    return value


def _frame(number: int, samples: int) -> bytes:
    """One frame of ``samples`` zero samples, mono, ``FLAC_BITS`` bits at ``FLAC_RATE``."""
    header = (
        _SYNC.to_bytes(2, "big")
        + bytes([_BLOCK_AT_END << 4 | _EIGHT_KHZ, _MONO << 4 | _SIXTEEN_BITS << 1])
        + chr(number).encode()  # the frame number, in FLAC's UTF-8-like code
        + (samples - 1).to_bytes(2, "big")
    )
    header += bytes([crc(header, 0x07, 8)])
    frame = header + bytes([_CONSTANT]) + (0).to_bytes(2, "big")
    return frame + crc(frame, 0x8005, 16).to_bytes(2, "big")


def _frames(total: int) -> Iterator[bytes]:
    for number, start in enumerate(range(0, total, FLAC_BLOCK)):
        yield _frame(number, min(FLAC_BLOCK, total - start))


@functools.cache
def silent_flac(seconds: int = TEN_HOURS) -> bytes:
    """``seconds`` of silence as FLAC, whose header leaves the length unknown (zero samples) and
    the frame sizes too: kilobytes that decode to hours."""
    streaminfo = (
        FLAC_BLOCK.to_bytes(2, "big") * 2
        + bytes(6)  # the smallest and largest frame, in bytes: unknown
        # The rate, the channels less one (mono), the bits per sample less one, and the number
        # of samples, left at zero: unknown.
        + (FLAC_RATE << 44 | 0 << 41 | (FLAC_BITS - 1) << 36).to_bytes(8, "big")
        + bytes(16)  # no MD5 of the samples
    )
    last_block = 0x80
    header = b"fLaC" + bytes([last_block]) + len(streaminfo).to_bytes(3, "big") + streaminfo
    return header + b"".join(_frames(seconds * FLAC_RATE))


def cut_inside_a_page(data: bytes) -> bytes:
    """An Ogg stream cut in the middle of a page past its headers: an upload that broke off."""
    pages = [position for position in range(len(data)) if data.startswith(b"OggS", position)]
    assert len(pages) >= 4, "a voice note with audio pages past its two header pages"
    start, end = pages[len(pages) // 2], pages[len(pages) // 2 + 1]
    return data[: (start + end) // 2]
