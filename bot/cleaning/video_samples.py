"""Where a track's samples lie in the file, from its sample tables.

A track's samples are grouped in chunks: ``stco``/``co64`` give each chunk's offset in the file,
``stsc`` how many samples each chunk holds, ``stsz``/``stz2`` each sample's size. A chunk's
samples follow one another, so a chunk is one span of bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from bot.cleaning.boxes import Box, BoxReader, Unprovable

SIZES = (b"stsz", b"stz2")
OFFSETS = (b"stco", b"co64")
TABLES = (*SIZES, b"stsc", *OFFSETS)


@dataclass(slots=True)
class Track:
    """A kept track: its box, its handler, and its sample tables as they were met."""

    box: Box
    handler: bytes
    descriptions: int = 0  # the sample entries stsd says it has
    described: int = 0  # the sample entries found in it
    legacy_sound: bool = False  # stsd version 0: a sound entry of version 1 is QuickTime's
    family: bytes = b""  # the configuration box of its codec, for H.264 or HEVC pictures
    length_size: int = 0  # then the size of the length before each NAL unit
    tables: dict[bytes, Box] = field(default_factory=dict)

    def add_table(self, box: Box) -> None:
        """One table of each role per track: two sizes tables, say, would leave it open which
        bytes a player reads."""
        role = SIZES if box.kind in SIZES else OFFSETS if box.kind in OFFSETS else (box.kind,)
        if any(kind in self.tables for kind in role):
            raise Unprovable("a sample table twice in one track")
        self.tables[box.kind] = box


def chunk_spans(reader: BoxReader, track: Track) -> Iterator[tuple[int, int]]:
    """Each chunk of the track as (start, end) in the file."""
    tables = track.tables
    if track.descriptions != track.described:
        raise Unprovable("stsd does not hold the entries it counts")
    sizes_box = tables.get(b"stsz") or tables.get(b"stz2")
    offsets_box = tables.get(b"stco") or tables.get(b"co64")
    runs_box = tables.get(b"stsc")
    if sizes_box is None or offsets_box is None or runs_box is None:
        raise Unprovable("a kept track without its sample tables")
    count, constant, sizes = _sizes(reader, sizes_box)
    width = 4 if offsets_box.kind == b"stco" else 8
    starts = reader.table(
        offsets_box.body + 8,
        reader.uint(offsets_box.body + 4, 4, offsets_box.end),
        width,
        offsets_box.end,
    )
    sample = 0
    for first, last, per_chunk in _runs(reader, runs_box, len(starts), track.descriptions):
        for chunk in range(first, last):
            if sample + per_chunk > count:
                raise Unprovable("chunks hold more samples than the track has")
            length = (
                per_chunk * constant if sizes is None else sum(sizes[sample : sample + per_chunk])
            )
            yield starts[chunk], starts[chunk] + length
            sample += per_chunk
    if sample != count:
        raise Unprovable("samples that no chunk holds")


def _sizes(reader: BoxReader, box: Box) -> tuple[int, int, Sequence[int] | None]:
    """The sample count, and either one size for all samples or each sample's size."""
    count = reader.uint(box.body + 8, 4, box.end)
    if box.kind == b"stsz":
        constant = reader.uint(box.body + 4, 4, box.end)
        if constant:
            return count, constant, None
        return count, 0, reader.table(box.body + 12, count, 4, box.end)
    bits = reader.uint(box.body + 7, 1, box.end)
    if bits == 16:
        return count, 0, reader.table(box.body + 12, count, 2, box.end)
    if bits == 8:
        return count, 0, _bytes(reader, box.body + 12, count, box.end)
    if bits == 4:
        packed = _bytes(reader, box.body + 12, (count + 1) // 2, box.end)
        return count, 0, [nibble for byte in packed for nibble in (byte >> 4, byte & 15)][:count]
    raise Unprovable("stz2 with a field size other than 4, 8 or 16")


def _bytes(reader: BoxReader, offset: int, count: int, end: int) -> bytes:
    if offset + count > end:
        raise Unprovable("a table runs past its box")
    return bytes(reader.data[offset : offset + count])


def _runs(
    reader: BoxReader, box: Box, chunks: int, descriptions: int
) -> Iterator[tuple[int, int, int]]:
    """``stsc`` as (first chunk, chunk after the last, samples per chunk), counted from 0."""
    entries = reader.table(box.body + 8, 3 * reader.uint(box.body + 4, 4, box.end), 4, box.end)
    if entries and entries[0] != 1:
        raise Unprovable("stsc does not start at the first chunk")
    for index in range(0, len(entries), 3):
        first, per_chunk, description = entries[index : index + 3]
        following = entries[index + 3] if index + 3 < len(entries) else chunks + 1
        if following <= first or following > chunks + 1 or not 1 <= description <= descriptions:
            raise Unprovable("stsc names chunks or entries that do not exist")
        yield first - 1, following - 1, per_chunk
