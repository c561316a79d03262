"""Videos (MP4, MOV, 3GP) keep their pictures and sound and nothing else: an allow-list.

These files are trees of boxes. The output starts as zeros of the file's length; into it go only
the boxes a player needs, checked field by field, and the samples of the video and sound tracks.
Everything else is a ``free`` box of zeros: the user data and metadata (Apple's location keys,
``©xyz``, the device, XMP), every other track (timed metadata such as Apple's ``mebx`` location
track or GoPro's GPMF, the subtitle tracks where drones write GPS, timecode, camera motion) and
whatever bytes of the media data no kept sample covers (a dash-cam's GPS blocks). Handler names
("Core Media Video"), sample entries' vendor and compressor names, and the creation and
modification times of the movie, its tracks and their media are zeroed, and H.264 and HEVC
pictures lose their SEI user data (``bot.cleaning.video_sei``). Nothing moves, so every offset into
the media data stays right and the video plays as before.

A file this cannot account for (fragmented, a codec not on the list, samples kept outside the
file, tables that do not add up, more than ``MAX_BOXES`` boxes or deeper than ``MAX_DEPTH``) is
``None``: kept as sent, with the warning. Nothing here raises.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from dataclasses import dataclass
from enum import Enum

from bot.cleaning.boxes import HEADER, Box, BoxReader, Children, Unprovable, walk
from bot.cleaning.video_samples import TABLES, Track, chunk_spans
from bot.cleaning.video_sei import blank_config, blank_units, nal_length_size

logger = logging.getLogger(__name__)

# Still images in the same box format (HEIC, AVIF): their picture lives in ``meta``.
IMAGE_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
)
KEPT_HANDLERS = frozenset({b"vide", b"soun"})


@dataclass(frozen=True, slots=True)
class Container:
    """Children follow the rules of ``context``, after ``skip`` bytes of the body."""

    context: str
    skip: int = 0


@dataclass(frozen=True, slots=True)
class Fixed:
    """A body of known length: longer is zeroed beyond it, shorter cannot be played."""

    length: int


@dataclass(frozen=True, slots=True)
class Timed:
    """A header with creation and modification times; its body's length by version 0 and 1."""

    lengths: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Table:
    """A full box with an entry count and entries of a size by version."""

    entry_sizes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """A sample entry of a known codec: its fixed fields, then boxes following ``context``."""

    context: str


class Do(Enum):
    """What happens to a box of no parameters."""

    KEEP = "codec parameters a decoder needs, kept as they are"
    BLANK = "becomes ``free``, zeroed"
    REFUSE = "the file cannot be proved clean"
    MOVIE = "``moov``: one per file"
    TRACK = "``trak``: kept for a video or sound handler, blanked otherwise"
    HANDLER = "``hdlr``: the handler type kept, its name zeroed"
    MEDIA = "``mdat``: only the kept tracks' samples are copied in"
    SIZES = "``stsz``, ``stz2``"
    DESCRIPTIONS = "``stsd``: one sample entry per codec used"
    REFERENCES = "``dref``: where the samples are"
    SELF = "a data reference that must say 'in this file'"
    CONFIG = "``avcC``, ``hvcC``: how NAL units are sized; hvcC's SEI loses its user data"


Rule = Container | Fixed | Timed | Table | Entry | Do

VISUAL_CODECS = (
    b"avc1", b"avc3", b"hvc1", b"hev1", b"dvh1", b"dvhe", b"dva1", b"dvav", b"av01", b"vp08",
    b"vp09", b"mp4v", b"s263", b"apch", b"apcn", b"apcs", b"apco", b"ap4h", b"ap4x",
)  # fmt: skip
SOUND_CODECS = (
    b"mp4a", b"ac-3", b"ec-3", b"ac-4", b"Opus", b"fLaC", b"alac", b"samr", b"sawb", b".mp3",
)  # fmt: skip
# The configuration box H.264 and HEVC pictures need, by codec: their SEI user data is blanked.
NAL_FAMILIES = {
    **dict.fromkeys((b"avc1", b"avc3", b"dva1", b"dvav"), b"avcC"),
    **dict.fromkeys((b"hvc1", b"hev1", b"dvh1", b"dvhe"), b"hvcC"),
}
VISUAL_CONFIG = (
    b"av1C", b"vpcC", b"dvcC", b"dvvC", b"dvwC", b"esds", b"d263",
    b"colr", b"glbl",
)  # fmt: skip
SOUND_CONFIG = (
    b"esds", b"dac3", b"dec3", b"dac4", b"dOps", b"dfLa", b"alac", b"damr", b"chan", b"chnl",
)  # fmt: skip

# For each context, the rule of each kind of box; any other kind is blanked, or refused where the
# context names a rule for the others (b"").
RULES: dict[str, dict[bytes, Rule]] = {
    "file": {b"ftyp": Do.KEEP, b"moov": Do.MOVIE, b"mdat": Do.MEDIA, b"moof": Do.REFUSE},
    "movie": {b"mvhd": Timed((100, 112)), b"trak": Do.TRACK, b"mvex": Do.REFUSE},
    "track": {
        b"tkhd": Timed((84, 96)),
        b"edts": Container("edits"),
        b"mdia": Container("media"),
        b"tapt": Container("aperture"),
    },
    "edits": {b"elst": Table((12, 20))},
    "aperture": {b"clef": Fixed(12), b"prof": Fixed(12), b"enof": Fixed(12)},
    "media": {b"mdhd": Timed((24, 36)), b"hdlr": Do.HANDLER, b"minf": Container("media info")},
    "media info": {
        b"vmhd": Fixed(12),
        b"smhd": Fixed(8),
        b"hdlr": Do.HANDLER,
        b"dinf": Container("data info"),
        b"stbl": Container("sample tables"),
    },
    "data info": {b"dref": Do.REFERENCES},
    "references": {b"url ": Do.SELF, b"urn ": Do.SELF, b"alis": Do.SELF, b"": Do.REFUSE},
    "sample tables": {
        b"stsd": Do.DESCRIPTIONS,
        b"stts": Table((8,)),
        b"ctts": Table((8, 8)),
        b"stss": Table((4,)),
        b"stsc": Table((12,)),
        b"stsz": Do.SIZES,
        b"stz2": Do.SIZES,
        b"stco": Table((4,)),
        b"co64": Table((8,)),
    },
    "vide entries": {**dict.fromkeys(VISUAL_CODECS, Entry("vide")), b"": Do.REFUSE},
    "soun entries": {**dict.fromkeys(SOUND_CODECS, Entry("soun")), b"": Do.REFUSE},
    "vide": {
        **dict.fromkeys(VISUAL_CONFIG, Do.KEEP),
        b"avcC": Do.CONFIG,
        b"hvcC": Do.CONFIG,
        b"pasp": Fixed(8),
        b"clap": Fixed(32),
        b"btrt": Fixed(12),
        b"fiel": Fixed(2),
        b"gama": Fixed(4),
        b"clli": Fixed(4),
        b"mdcv": Fixed(24),
        b"ccst": Fixed(8),
        b"amve": Fixed(8),
    },
    "soun": {
        **dict.fromkeys(SOUND_CONFIG, Do.KEEP),
        b"btrt": Fixed(12),
        b"srat": Fixed(8),
        b"wave": Container("wave"),
    },
    # QuickTime's sound decompression parameters: the format, its configuration, a terminator.
    "wave": {
        **dict.fromkeys(SOUND_CONFIG, Do.KEEP),
        b"frma": Fixed(4),
        b"enda": Fixed(2),
        b"mp4a": Fixed(4),
        b"\0\0\0\0": Fixed(0),
    },
}
# A sample entry's fields before its boxes: visual; sound by version (QuickTime's 1 and 2).
VISUAL_FIELDS = 78
SOUND_FIELDS = {0: 28, 1: 44, 2: 64}


def strip_video_metadata(data: bytes) -> bytes | None:
    """The video with nothing but its pictures and sound; None for anything that is not a video
    file this can prove clean. Never raises: any error means None."""
    if len(data) < 16 or data[4:8] != b"ftyp" or data[8:12] in IMAGE_BRANDS:
        return None
    try:
        return _Cleaner(data).run()
    except Unprovable as reason:
        logger.info("A video could not be proved clean (%s); kept as sent", reason)
    except Exception as exc:
        logger.warning("A video could not be cleaned (%s); kept as sent", type(exc).__name__)
    return None


class _Cleaner:
    """The output is built in ``out``: the file's boxes without the media data's bodies; the
    rules then zero what they do not keep, and the kept tracks' samples are copied in last."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.out = bytearray(len(data))
        self.reader = BoxReader(self.out)
        self.media: list[Box] = []
        self.tracks: list[Track] = []
        self.movies = 0
        top = list(BoxReader(data).children(0, len(data), top=True))
        for box in top:
            end = box.body if box.kind == b"mdat" else box.end
            self.out[box.start : end] = data[box.start : end]

    def run(self) -> bytes:
        walk(self.reader, "file", self._visit)
        if self.movies != 1 or not self.tracks:
            raise Unprovable("no single movie with a video or sound track")
        starts = [box.body for box in self.media]
        kept = 0
        for track in self.tracks:
            if track.family and not track.length_size:
                raise Unprovable(f"pictures without {track.family!r}")
            for start, end in chunk_spans(self.reader, track):
                index = bisect_right(starts, start) - 1
                if index < 0 or end > self.media[index].end:
                    raise Unprovable("samples outside the media data")
                self.out[start:end] = self.data[start:end]
                if track.family:
                    hevc = track.family == b"hvcC"
                    blank_units(self.out, start, end, track.length_size, hevc=hevc)
                kept += end - start
        if not kept:
            raise Unprovable("no sample to keep")
        return bytes(self.out)

    def _visit(self, box: Box, context: str) -> Children:
        rules = RULES[context]
        rule = rules.get(box.kind, rules.get(b"", Do.BLANK)) if box.kind else Do.BLANK
        match rule:
            case Container(inner, skip):
                return box.body + skip, inner
            case Entry(inner):
                return self._entry(box, inner), inner
            case Fixed(length):
                self._keep(box, length)
            case Timed(lengths):
                version = self._version(box, len(lengths))
                self._keep(box, lengths[version])
                self._zero(box.body + 4, box.body + (20 if version else 12))
            case Table(sizes):
                count = self.reader.uint(box.body + 4, 4, box.end)
                self._keep(box, 8 + count * sizes[self._version(box, len(sizes))])
                if box.kind in TABLES:
                    self._track(box).add_table(box)
            case Do.KEEP:
                pass
            case Do.REFUSE:
                raise Unprovable(f"{box.kind!r} here")
            case Do.BLANK:
                self._blank(box)
            case Do.MOVIE:
                self.movies += 1
                return box.body, "movie"
            case Do.TRACK:
                return self._track_box(box)
            case Do.HANDLER:
                self._keep(box, 12)  # version, flags, QuickTime's component type, handler type
            case Do.MEDIA:
                self.media.append(box)
            case Do.SIZES:
                self._sizes(box)
            case Do.DESCRIPTIONS:
                track = self._track(box)
                track.descriptions = self.reader.uint(box.body + 4, 4, box.end)
                track.legacy_sound = self._version(box, 2) == 0
                return box.body + 8, f"{track.handler.decode()} entries"
            case Do.REFERENCES:
                return box.body + 8, "references"
            case Do.SELF:
                if not self.reader.uint(box.body, 4, box.end) & 1:
                    raise Unprovable("samples in another file")
                self._keep(box, 4)
            case Do.CONFIG:
                self._configuration(box)
        return None

    def _track_box(self, box: Box) -> Children:
        handler = self._handler(box)
        if handler not in KEPT_HANDLERS:
            self._blank(box)
            return None
        self.tracks.append(Track(box, handler))
        return box.body, "track"

    def _handler(self, track: Box) -> bytes:
        """The handler type in the track's ``mdia``/``hdlr``; b"" without exactly one."""
        media = [b for b in self.reader.children(track.body, track.end) if b.kind == b"mdia"]
        if len(media) != 1:
            return b""
        handlers = [
            b for b in self.reader.children(media[0].body, media[0].end) if b.kind == b"hdlr"
        ]
        if len(handlers) != 1:
            return b""
        return bytes(self.out[handlers[0].body + 8 : handlers[0].body + 12])

    def _entry(self, box: Box, kind: str) -> int:
        """Zero a sample entry's vendor, qualities and compressor name; where its boxes start."""
        track = self._track(box)
        track.described += 1
        if kind == "vide":
            fields = VISUAL_FIELDS
            if track.described > 1 and track.family != NAL_FAMILIES.get(box.kind, b""):
                raise Unprovable("sample entries of different families in one track")
            track.family = NAL_FAMILIES.get(box.kind, b"")
            if self.reader.uint(box.body + 76, 2, box.end) != 0xFFFF:
                raise Unprovable("a colour table in a sample entry")
            self._zero(box.body + 36, box.body + 40)
            self._zero(box.body + 42, box.body + 74)  # compressor name
        else:
            version = self.reader.uint(box.body + 8, 2, box.end)
            if version not in SOUND_FIELDS or (version and not track.legacy_sound):
                raise Unprovable("a sound entry of unknown layout")
            fields = SOUND_FIELDS[version]
        if box.body + fields > box.end:
            raise Unprovable("a sample entry too short")
        self._zero(box.body, box.body + 6)
        self._zero(box.body + 12, box.body + (24 if kind == "vide" else 16))  # vendor, qualities
        return box.body + fields

    def _configuration(self, box: Box) -> None:
        """Learn how the track's NAL units are sized; blank hvcC's SEI user data and any bytes
        after its arrays."""
        track = self._track(box)
        size = nal_length_size(self.out, box)
        if box.kind != track.family or track.length_size not in (0, size):
            raise Unprovable(f"{box.kind!r} for pictures of another kind")
        track.length_size = size
        if box.kind == b"hvcC":
            self._zero(blank_config(self.out, box), box.end)

    def _sizes(self, box: Box) -> None:
        count = self.reader.uint(box.body + 8, 4, box.end)
        if box.kind == b"stsz":
            constant = self.reader.uint(box.body + 4, 4, box.end)
            self._keep(box, 12 + (0 if constant else 4 * count))
        else:
            bits = self.reader.uint(box.body + 7, 1, box.end)
            self._keep(box, 12 + (count * bits + 7) // 8)
        self._track(box).add_table(box)

    def _track(self, box: Box) -> Track:
        """The kept track this box is in: the last one met, as the walk goes depth first."""
        if not self.tracks or not self.tracks[-1].box.start <= box.start < self.tracks[-1].box.end:
            raise Unprovable("sample tables outside a track")
        return self.tracks[-1]

    def _version(self, box: Box, known: int) -> int:
        version = self.reader.uint(box.body, 1, box.end)
        if version >= known:
            raise Unprovable(f"{box.kind!r} of version {version}")
        return version

    def _keep(self, box: Box, length: int) -> None:
        """Keep the first ``length`` bytes of the body and zero the rest."""
        if box.body + length > box.end:
            raise Unprovable(f"{box.kind!r} too short")
        self._zero(box.body + length, box.end)

    def _blank(self, box: Box) -> None:
        if box.kind:
            self.out[box.start + 4 : box.start + HEADER] = b"free"
        self._zero(box.body, box.end)

    def _zero(self, start: int, end: int) -> None:
        self.out[start:end] = bytes(end - start)
