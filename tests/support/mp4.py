"""Building MP4/QuickTime files box by box as phones, drones and action cameras write them, and
reading them back as a tree of boxes, for the tests of ``bot.cleaning.video``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest

FILMED = (3_900_000_000).to_bytes(4, "big")  # seconds since 1904, in 2027
CONTAINERS = frozenset({b"moov", b"trak", b"edts", b"mdia", b"minf", b"dinf", b"stbl", b"udta"})


def box(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def full(kind: bytes, version: int, *payload: bytes, flags: int = 0) -> bytes:
    return box(kind, bytes([version]), flags.to_bytes(3, "big"), *payload)


def u32(*values: int) -> bytes:
    return b"".join(value.to_bytes(4, "big") for value in values)


def nal_sample(*units: bytes) -> bytes:
    """A picture as MP4 stores H.264 and HEVC: each NAL unit after its length in 4 bytes."""
    return b"".join(u32(len(unit)) + unit for unit in units)


def sei_unit(*messages: tuple[int, bytes], hevc: bool = False) -> bytes:
    """An SEI NAL unit of (payload type, payload) messages, with emulation prevention."""
    payload = b"".join(_sei_number(kind) + _sei_number(len(body)) + body for kind, body in messages)
    header = bytes([39 << 1, 1]) if hevc else b"\x06"
    escaped, zeros = bytearray(), 0
    for byte in payload + b"\x80":
        if zeros >= 2 and byte <= 3:
            escaped.append(3)
            zeros = 0
        escaped.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return header + bytes(escaped)


def sei_messages(unit: bytes, *, hevc: bool = False) -> list[tuple[int, bytes]]:
    """The (payload type, payload) messages of an SEI NAL unit."""
    payload, zeros = bytearray(), 0
    for byte in unit[2 if hevc else 1 :]:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        payload.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    messages, index = [], 0
    while index + 1 < len(payload):
        kind, index = _read_sei_number(payload, index)
        size, index = _read_sei_number(payload, index)
        messages.append((kind, bytes(payload[index : index + size])))
        index += size
    assert payload[index:] == b"\x80", "the trailing bits end the unit"
    return messages


def _sei_number(value: int) -> bytes:
    return b"\xff" * (value // 255) + bytes([value % 255])


def _read_sei_number(payload: bytes | bytearray, index: int) -> tuple[int, int]:
    value = 0
    while payload[index] == 0xFF:
        value, index = value + 255, index + 1
    return value + payload[index], index + 1


def visual_entry(codec: bytes = b"avc1", *children: bytes, compressor: bytes = b"H.264") -> bytes:
    """A visual sample entry: 78 bytes of fields (vendor ``appl``, a compressor name), then its
    boxes; by default ``avcC`` and ``pasp``."""
    fields = (
        bytes(6) + (1).to_bytes(2, "big") + bytes(4) + b"appl" + u32(512, 512)
        + (320).to_bytes(2, "big") + (240).to_bytes(2, "big") + u32(0x480000, 0x480000, 0)
        + (1).to_bytes(2, "big") + bytes([len(compressor)]) + compressor.ljust(31, b"\0")
        + (24).to_bytes(2, "big") + b"\xff\xff"
    )  # fmt: skip
    configuration = children or (box(b"avcC", b"\x01\x64\x00\x1f\xff\xe1"), box(b"pasp", u32(1, 1)))
    return box(codec, fields, *configuration)


def sound_entry(codec: bytes = b"mp4a", *children: bytes) -> bytes:
    fields = (
        bytes(6) + (1).to_bytes(2, "big") + bytes(4) + b"appl" + (2).to_bytes(2, "big")
        + (16).to_bytes(2, "big") + bytes(4) + u32(44100 << 16)
    )  # fmt: skip
    return box(codec, fields, *(children or (full(b"esds", 0, b"\x03\x19\x00\x00"),)))


def text_entry(codec: bytes = b"tx3g") -> bytes:
    return box(codec, bytes(6), (1).to_bytes(2, "big"), bytes(30))


@dataclass
class Stream:
    """A track: its handler, its sample entry and its chunks of samples, plus boxes of its own
    (``udta``, ``tref``) and its handler's name."""

    handler: bytes
    entry: bytes
    chunks: list[list[bytes]]
    name: bytes = b"Core Media Video"
    extra: tuple[bytes, ...] = ()
    media_header: bytes = field(default_factory=lambda: full(b"vmhd", 0, bytes(8), flags=1))

    @property
    def samples(self) -> list[bytes]:
        return [sample for chunk in self.chunks for sample in chunk]


@dataclass(frozen=True)
class Tables:
    """How sample sizes are written (``stsz`` in 32 bits, or ``stz2`` in 16, 8 or 4) and chunk
    offsets (``stco`` in 32 bits, ``co64`` in 64)."""

    size_bits: int = 32
    offset_bits: int = 32

    def sizes(self, sizes: list[int]) -> bytes:
        if self.size_bits == 32:
            return full(b"stsz", 0, u32(0, len(sizes)), u32(*sizes))
        if self.size_bits == 4:
            padded = [*sizes, 0][: len(sizes) + len(sizes) % 2]
            table = bytes(
                high << 4 | low for high, low in zip(padded[::2], padded[1::2], strict=True)
            )
        else:
            table = b"".join(size.to_bytes(self.size_bits // 8, "big") for size in sizes)
        return full(b"stz2", 0, bytes(3), bytes([self.size_bits]), u32(len(sizes)), table)

    def offsets(self, offsets: list[int]) -> bytes:
        kind, width = (b"stco", 4) if self.offset_bits == 32 else (b"co64", 8)
        table = b"".join(offset.to_bytes(width, "big") for offset in offsets)
        return full(kind, 0, u32(len(offsets)), table)


@dataclass
class Built:
    """A file and where each stream's samples were put in it."""

    data: bytes
    placed: dict[bytes, list[tuple[int, bytes]]]


def movie(
    *streams: Stream,
    before: tuple[bytes, ...] = (),
    in_movie: tuple[bytes, ...] = (),
    between_chunks: bytes = b"",
    brand: bytes = b"qt  ",
    media_size: str = "32 bits",
    tables: Tables | None = None,
) -> Built:
    """ftyp, the boxes ``before``, moov, then one mdat with the streams' chunks interleaved (and
    ``between_chunks`` after each, as a dash-cam writes GPS blocks among the frames); the mdat's
    size in ``media_size``: "32 bits", "64 bits" or "to the end" (0)."""
    tables = tables or Tables()
    ftyp = box(b"ftyp", brand, bytes(4), brand, b"isom")
    order = [
        (index, chunk)
        for row in zip_longest(*(enumerate(s.chunks) for s in streams))
        for index, chunk in enumerate(row)
        if chunk is not None
    ]

    def layout(base: int) -> tuple[bytes, bytes, dict[int, list[int]]]:
        offsets: dict[int, list[int]] = {i: [] for i in range(len(streams))}
        media, position = b"", base
        for index, (_number, chunk) in order:
            offsets[index].append(position)
            piece = b"".join(chunk) + between_chunks
            media, position = media + piece, position + len(piece)
        tracks = [_track(s, i + 1, offsets[i], tables) for i, s in enumerate(streams)]
        header = full(b"mvhd", 0, FILMED * 2, u32(600, 6000, 0x10000), bytes(72), u32(9))
        return box(b"moov", header, *tracks, *in_movie), media, offsets

    head = ftyp + b"".join(before)
    moov, _, _ = layout(0)
    header = 16 if media_size == "64 bits" else 8
    moov, media, offsets = layout(len(head) + len(moov) + header)
    if media_size == "64 bits":
        mdat = u32(1) + b"mdat" + (16 + len(media)).to_bytes(8, "big") + media
    else:
        mdat = box(b"mdat", media) if media_size == "32 bits" else u32(0) + b"mdat" + media
    data = head + moov + mdat
    placed: dict[bytes, list[tuple[int, bytes]]] = {}
    for index, stream in enumerate(streams):
        spots = placed.setdefault(stream.handler, [])
        for start, chunk in zip(offsets[index], stream.chunks, strict=True):
            for sample in chunk:
                spots.append((start, sample))
                start += len(sample)
    return Built(data, placed)


def _track(stream: Stream, number: int, offsets: list[int], tables: Tables) -> bytes:
    samples = stream.samples
    runs, previous = [], None
    for chunk_number, chunk in enumerate(stream.chunks, start=1):
        if len(chunk) != previous:
            runs.append(u32(chunk_number, len(chunk), 1))
            previous = len(chunk)
    tables = box(
        b"stbl",
        full(b"stsd", 0, u32(1), stream.entry),
        full(b"stts", 0, u32(1, len(samples), 512)),
        full(b"stsc", 0, u32(len(runs)), *runs),
        tables.sizes([len(sample) for sample in samples]),
        tables.offsets(offsets),
    )
    handler = full(b"hdlr", 0, b"mhlr", stream.handler, b"appl", bytes(8), stream.name)
    data_handler = full(b"hdlr", 0, b"dhlr", b"alis", b"appl", bytes(8), b"Core Media Data Handler")
    references = box(b"dinf", full(b"dref", 0, u32(1), full(b"alis", 0, flags=1)))
    information = box(b"minf", stream.media_header, data_handler, references, tables)
    media = box(
        b"mdia", full(b"mdhd", 0, FILMED * 2, u32(600, 6000), bytes(4)), handler, information
    )
    header = full(b"tkhd", 1, (bytes(4) + FILMED) * 2, u32(number), bytes(72), flags=7)
    return box(b"trak", header, media, *stream.extra)


def video(
    *samples: bytes,
    entry: bytes = b"",
    name: bytes = b"Core Media Video",
    extra: tuple[bytes, ...] = (),
) -> Stream:
    """A video track, each frame in a chunk of its own."""
    return Stream(b"vide", entry or visual_entry(), [[s] for s in samples], name, extra)


def sound(*samples: bytes) -> Stream:
    """A sound track, its samples in one chunk."""
    smhd = full(b"smhd", 0, bytes(4))
    return Stream(b"soun", sound_entry(), [list(samples)], b"Core Media Audio", media_header=smhd)


def nested(kinds: tuple[bytes, ...], depth: int, inner: bytes = b"") -> bytes:
    """``depth`` boxes one inside the other, of ``kinds`` in turn, around ``inner``."""
    for level in reversed(range(depth)):
        inner = box(kinds[level % len(kinds)], inner)
    return inner


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(kind, start, end) of every box, into the usual containers; fails where sizes do not add
    up, so a file that reads through is a valid tree of boxes."""
    end = len(data) if end is None else end
    position = start
    while position < end:
        size, header = int.from_bytes(data[position : position + 4], "big"), 8
        if size == 1:
            size, header = int.from_bytes(data[position + 8 : position + 16], "big"), 16
        elif size == 0:
            size = end - position
        kind = data[position + 4 : position + 8]
        assert header <= size and position + size <= end, (kind, position, size)
        yield kind, position, position + size
        if kind in CONTAINERS:
            yield from boxes(data, position + header, position + size)
        elif kind == b"stsd":
            yield from boxes(data, position + 16, position + size)
        position += size


# ---------------------------------------------------- what phones, drones and cameras leave

FRAMES = (nal_sample(b"\x65" + b"frame-one" * 9), nal_sample(b"\x41" + b"frame-two" * 7))
SOUNDS = (b"\x21aac-one" * 5, b"\x21aac-two" * 6)
DRONE = b"GPS(43.2389,76.8897) BAROMETER:91.5"
GPMF = b"DEVC\x00\x01\x00\x00GPS5l\x14\x00\x01" + u32(432_389_123, 768_897_456, 850_000, 12, 34)
ISO6709 = b"+43.2390+076.8898+850.000/"
IN_ENTRY = b"+43.2391+076.8899/"
DASH_CAM = b"freeGPS \x00\x00A43.2392N076.8900E"
PHONE = b"Apple iPhone 15 Pro"
MODEL = b"SecretCam Model X1"
XMP = b"<x:xmpmeta><dc:creator>XMP-SECRET-CREATOR</dc:creator></x:xmpmeta>"
LEFTOVER = b"an editor's old udta: Secretov"
KEY = b"com.apple.quicktime.location.ISO6709"


def phone_video(media_size: str = "32 bits") -> Built:
    """What a phone, a drone, an action camera and a dash-cam leave in one file: a video and a
    sound track, a drone's subtitle track, GoPro's GPMF, Apple's mebx location track, a vendor box
    in the video's sample entry, the phone in the handler name, udta, meta, uuid, a free box with
    an editor's leftovers, and GPS blocks among the frames."""
    entry = visual_entry(
        b"avc1",
        box(b"avcC", b"\x01\x64\x00\x1f\xff\xe1"),
        box(b"pasp", u32(1, 1)),
        box(b"\xa9xyz", IN_ENTRY),
    )
    own = (box(b"udta", box(b"\xa9mod", MODEL)), box(b"tref", box(b"cdsc", u32(3))))
    keys = box(b"keys", u32(0, 1), box(b"mdta", KEY))
    mebx = box(b"mebx", bytes(6), (1).to_bytes(2, "big"), keys)
    streams = (
        video(*FRAMES, entry=entry, name=PHONE, extra=own),
        sound(*SOUNDS),
        Stream(b"sbtl", text_entry(), [[len(DRONE).to_bytes(2, "big") + DRONE]], b"DJI"),
        Stream(b"meta", box(b"gpmd", bytes(8)), [[GPMF]], b"GoPro MET"),
        Stream(b"meta", mebx, [[u32(8 + len(ISO6709), 1) + ISO6709]], b"Core Media Metadata"),
    )
    places = box(b"udta", box(b"\xa9xyz", bytes(4), b"+43.2393+076.8901/"), box(b"\xa9mak", MODEL))
    meta = full(b"meta", 0, box(b"hdlr", bytes(8), b"mdta"), keys, box(b"ilst", ISO6709))
    return movie(
        *streams,
        before=(box(b"uuid", bytes(16), XMP), box(b"free", LEFTOVER)),
        in_movie=(places, meta),
        between_chunks=DASH_CAM,
        media_size=media_size,
    )


SECRETS = (DRONE, GPMF, ISO6709, IN_ENTRY, DASH_CAM, PHONE, MODEL, XMP, LEFTOVER, KEY, FILMED)
SECRETS += (b"43.239", b"GPS", b"Core Media", b"appl", b"H.264", b"DJI", b"GoPro")
