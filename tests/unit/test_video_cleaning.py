"""Videos are cleaned by an allow-list: GPS in side tracks, sample entries, the media data between
frames and the boxes around them is gone, pictures and sound stay byte for byte where they were,
and whatever cannot be proved clean is kept as sent, never an error."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from types import FrameType
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.cleaning.boxes import MAX_BOXES, MAX_DEPTH, BoxReader, Unprovable, walk
from bot.cleaning.video import strip_video_metadata
from bot.cleaning.video_sei import blank_unit
from tests.support.mp4 import (
    DASH_CAM,
    DRONE,
    FRAMES,
    GPMF,
    IN_ENTRY,
    ISO6709,
    LEFTOVER,
    MODEL,
    PHONE,
    SECRETS,
    SOUNDS,
    XMP,
    Built,
    Stream,
    Tables,
    box,
    boxes,
    full,
    movie,
    nal_sample,
    nested,
    phone_video,
    sei_messages,
    sei_unit,
    sound,
    u32,
    video,
    visual_entry,
)


def assert_clean(built: Built) -> bytes:
    """The cleaned file: no secret left, the same length, a valid tree of boxes with a video and
    a sound track only, and every picture and sound sample byte for byte where it was."""
    cleaned = strip_video_metadata(built.data)
    assert cleaned is not None
    assert len(cleaned) == len(built.data)
    for secret in SECRETS:
        assert secret in built.data, secret
        assert secret not in cleaned, secret
    tree = list(boxes(cleaned))
    handlers = [cleaned[start + 16 : start + 20] for kind, start, _end in tree if kind == b"hdlr"]
    assert sorted(handlers) == [b"alis", b"alis", b"soun", b"vide"]
    assert [kind for kind, *_ in tree].count(b"trak") == 2
    for handler in (b"vide", b"soun"):
        for offset, sample in built.placed[handler]:
            assert cleaned[offset : offset + len(sample)] == sample
    return cleaned


@pytest.mark.parametrize("media_size", ["32 bits", "64 bits", "to the end"])
def test_gps_in_side_tracks_sample_entries_and_boxes_does_not_survive(media_size: str) -> None:
    built = phone_video(media_size=media_size)
    cleaned = assert_clean(built)
    side_samples = [
        (offset, sample)
        for handler in (b"sbtl", b"meta")
        for offset, sample in built.placed[handler]
    ]
    for offset, sample in side_samples:
        assert cleaned[offset : offset + len(sample)] == bytes(len(sample))


@pytest.mark.parametrize(
    ("tables", "samples"),
    [
        (Tables(size_bits=16, offset_bits=64), FRAMES),
        (Tables(size_bits=8), FRAMES),
        (Tables(size_bits=4), (nal_sample(b"\x65tiny"), nal_sample(b"\x41"))),
    ],
    ids=["stz2 of 16 bits, co64", "stz2 of 8 bits", "stz2 of 4 bits"],
)
def test_every_kind_of_sample_table_is_read(tables: Tables, samples: tuple[bytes, ...]) -> None:
    sounds = (b"\x21aac", b"\x21aac-2")
    built = movie(
        video(*samples),
        sound(*sounds),
        between_chunks=DASH_CAM,
        media_size="64 bits",
        tables=tables,
    )
    cleaned = strip_video_metadata(built.data)
    assert cleaned is not None and DASH_CAM not in cleaned
    for offset, sample in built.placed[b"vide"] + built.placed[b"soun"]:
        assert cleaned[offset : offset + len(sample)] == sample


def test_a_file_cleaned_again_stays_the_same() -> None:
    cleaned = assert_clean(phone_video())
    assert strip_video_metadata(cleaned) == cleaned


UUID = bytes(range(16))
IN_PICTURE = b"GPS 43.2394 76.8902"


def test_user_data_in_the_pictures_is_overwritten_and_the_rest_of_them_kept() -> None:
    """x264's settings and a camera's GPS in SEI user data messages, one of them with bytes that
    need emulation prevention, beside a recovery point message that must stay."""
    needs_escaping = UUID + IN_PICTURE + b"\x00\x00\x01\x00\x00\x00\x02" + IN_PICTURE
    sei = sei_unit((5, needs_escaping), (6, b"\x84"), (5, UUID + b"x264 - core 164"))
    picture = b"\x65" + b"frame-three" * 5
    frame = nal_sample(sei, picture)
    built = movie(video(frame, *FRAMES), sound(*SOUNDS))
    cleaned = strip_video_metadata(built.data)
    assert cleaned is not None
    assert IN_PICTURE not in cleaned and b"x264" not in cleaned
    (offset, _frame), *others = built.placed[b"vide"]
    assert cleaned[offset : offset + 4] == frame[:4]
    assert cleaned[offset + 4 + len(sei) : offset + len(frame)] == frame[4 + len(sei) :]
    messages = sei_messages(cleaned[offset + 4 : offset + 4 + len(sei)])
    assert [(kind, len(body)) for kind, body in messages] == [
        (5, len(needs_escaping)),
        (6, 1),
        (5, 31),
    ]
    assert messages[1] == (6, b"\x84")
    assert all(set(body) <= {0, 0xFF} for kind, body in messages if kind == 5)
    for position, sample in others + built.placed[b"soun"]:
        assert cleaned[position : position + len(sample)] == sample


SEI_MESSAGE = st.tuples(
    st.sampled_from([5, 4, 6, 137, 300]),
    st.lists(st.sampled_from([0, 0, 0, 1, 2, 3, 0x80, 0xFF, 0x41]), max_size=600).map(bytes),
)


@settings(max_examples=300, deadline=None)
@given(messages=st.lists(SEI_MESSAGE, min_size=1, max_size=5), hevc=st.booleans())
def test_user_data_is_filled_whatever_its_bytes_and_the_unit_still_parses(
    messages: list[tuple[int, bytes]], hevc: bool
) -> None:
    unit = sei_unit(*messages, hevc=hevc)
    blanked = bytearray(unit)
    blank_unit(blanked, 0, len(blanked), hevc=hevc)
    assert len(blanked) == len(unit)
    for (kind, body), (kind_after, body_after) in zip(
        messages, sei_messages(bytes(blanked), hevc=hevc), strict=True
    ):
        assert kind_after == kind and len(body_after) == len(body)
        if kind != 5:
            assert body_after == body
            continue
        for before, after in zip(body, body_after, strict=True):
            assert after == 0xFF or after == before == 0


def test_hevc_loses_user_data_in_its_configuration_and_its_pictures() -> None:
    """x265 writes its settings into hvcC's SEI array as well as into the first picture."""
    settings_unit = sei_unit((5, UUID + b"x265 (build 199) " + IN_PICTURE), hevc=True)
    arrays = bytes([32]) + (1).to_bytes(2, "big") + (4).to_bytes(2, "big") + b"\x40\x01\x0c\x01"
    arrays += bytes([39]) + (1).to_bytes(2, "big") + len(settings_unit).to_bytes(2, "big")
    hvcc = box(
        b"hvcC", b"\x01", bytes(20), b"\x03", b"\x02", arrays + settings_unit, b"vendor tail"
    )
    entry = visual_entry(b"hvc1", hvcc, compressor=b"HEVC")
    picture = b"\x26\x01" + b"frame-hevc" * 4
    frame = nal_sample(sei_unit((5, UUID + IN_PICTURE), hevc=True), picture)
    cleaned = strip_video_metadata(movie(video(frame, entry=entry), sound(*SOUNDS)).data)
    assert cleaned is not None
    for secret in (IN_PICTURE, b"x265", b"vendor tail", b"HEVC"):
        assert secret not in cleaned, secret
    assert picture in cleaned and b"\x40\x01\x0c\x01" in cleaned


FTYP = box(b"ftyp", b"isom", bytes(4), b"isom")
MEDIA = box(b"mdat", b"".join(FRAMES))


def patched(kind: bytes, at: int, value: bytes, built: Built | None = None) -> bytes:
    """The phone video with ``value`` written ``at`` bytes into the body of its first ``kind``."""
    data = bytearray((built or phone_video()).data)
    start = next(start for found, start, _end in boxes(bytes(data)) if found == kind) + 8
    data[start + at : start + at + len(value)] = value
    return bytes(data)


HOSTILE = {
    "1,200 nested moov": FTYP + nested((b"moov",), 1200) + MEDIA,
    "1,200 nested containers": FTYP + nested((b"moov", b"trak", b"mdia", b"minf"), 1200) + MEDIA,
    "1,200 nested tracks": FTYP + box(b"moov", nested((b"trak",), 1200)) + MEDIA,
    "1,200 nested sample tables": FTYP
    + box(b"moov", box(b"trak", box(b"mdia", box(b"minf", nested((b"stbl",), 1200)))))
    + MEDIA,
    "fragmented": phone_video().data + box(b"moof", box(b"mfhd", bytes(8))) + MEDIA,
    "fragmented movie": movie(video(*FRAMES), in_movie=(box(b"mvex", bytes(32)),)).data,
    "unknown codec": phone_video().data.replace(b"avc1", b"mjpa", 1),
    "unknown sound layout": patched(b"mp4a", 8, b"\x00\x07"),
    "a colour table": patched(b"avc1", 76, b"\x00\x00"),
    "samples in another file": phone_video().data.replace(
        full(b"alis", 0, flags=1), full(b"url ", 0, flags=0)
    ),
    "a chunk past the media data": patched(b"stco", 8, u32(10**6)),
    "a chunk before the media data": patched(b"stco", 8, u32(40)),
    "chunks of more samples than there are": patched(b"stsc", 12, u32(99)),
    "a run that does not start at the first chunk": patched(b"stsc", 8, u32(2)),
    "an entry that does not exist": patched(b"stsc", 16, u32(2)),
    "a size table past its box": patched(b"stsz", 8, u32(10**6)),
    "a sample entry counted twice": patched(b"stsd", 4, u32(2)),
    "two movies": phone_video().data + box(b"moov", box(b"mvhd", bytes(100))),
    "no video or sound": movie(Stream(b"meta", box(b"gpmd", bytes(8)), [[GPMF]])).data,
    "truncated": phone_video().data[:-1],
    "boxes that do not add up": patched(b"tkhd", -8, u32(7)),
    "a header of unknown version": patched(b"mvhd", 0, b"\x02"),
    "not a video": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + MEDIA,
    "pictures without their configuration": movie(
        video(*FRAMES, entry=visual_entry(b"avc1", box(b"pasp", u32(1, 1)))), sound(*SOUNDS)
    ).data,
    "a NAL unit past its picture": movie(video(u32(99) + b"\x65short"), sound(*SOUNDS)).data,
    "an SEI message cut short": movie(video(nal_sample(b"\x06\x05\x30abc\x80"))).data,
    "too many boxes": FTYP + box(b"free") * (MAX_BOXES + 1) + phone_video().data[len(FTYP) :],
}


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_what_cannot_be_proved_clean_is_kept_as_sent_without_an_error(data: bytes) -> None:
    with no_unexpected_error():
        assert strip_video_metadata(data) is None


def test_deep_boxes_in_a_box_that_is_blanked_are_never_read() -> None:
    built = movie(video(*FRAMES), sound(*SOUNDS), in_movie=(nested((b"udta",), 1200, MODEL),))
    cleaned = strip_video_metadata(built.data)
    assert cleaned is not None and MODEL not in cleaned


def test_the_walk_is_bounded_in_depth_and_in_boxes_whatever_the_rules() -> None:
    """Even with rules that go into every box, the walk stops at ``MAX_DEPTH`` and ``MAX_BOXES``
    with ``Unprovable``, on its own stack, not Python's."""

    def everything(visited: list[int]) -> Callable[..., tuple[int, str]]:
        def visit(found: Any, context: str) -> tuple[int, str]:
            visited.append(found.start)
            return found.body, context

        return visit

    for data, limit in ((nested((b"deep",), 1200), MAX_DEPTH), (box(b"flat") * 30_000, MAX_BOXES)):
        visited: list[int] = []
        with pytest.raises(Unprovable), stack_depth() as deepest:
            walk(BoxReader(data), "all", everything(visited))
        assert len(visited) <= limit
        assert deepest() < 20


@contextmanager
def stack_depth() -> Iterator[Callable[[], int]]:
    """How deep Python's stack went inside the block, counted from where it starts."""
    depths = [0]
    base = _depth(sys._getframe())

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            depths.append(_depth(frame) - base)

    sys.setprofile(profile)
    try:
        yield lambda: max(depths)
    finally:
        sys.setprofile(None)


def _depth(frame: FrameType | None) -> int:
    depth = 0
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


@contextmanager
def no_unexpected_error() -> Iterator[None]:
    """Every refusal is one the cleaner meant (``Unprovable``): no other error was caught."""
    errors: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = errors.append  # type: ignore[method-assign]
    logger = logging.getLogger("bot.cleaning.video")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not errors, [record.getMessage() for record in errors]


VALID = phone_video().data
MUTATION = st.tuples(st.integers(0, len(VALID) - 1), st.binary(min_size=1, max_size=9))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutations=st.lists(MUTATION, max_size=6),
    cut=st.integers(0, len(VALID)),
    noise=st.binary(max_size=300),
)
@example(mutations=[], cut=len(VALID), noise=b"")
def test_mutated_videos_never_raise_nor_leak_nor_go_deep(
    mutations: list[tuple[int, bytes]], cut: int, noise: bytes
) -> None:
    data = bytearray(VALID)
    for position, value in mutations:
        data[position : position + len(value)] = value
    data = data[:cut] + noise
    with no_unexpected_error(), stack_depth() as deepest:
        cleaned = strip_video_metadata(bytes(data))
    assert deepest() < 40
    if cleaned is not None:
        assert len(cleaned) == len(data)
        for secret in (DRONE, GPMF, ISO6709, IN_ENTRY, PHONE, XMP, LEFTOVER):
            assert secret not in cleaned or secret in noise, secret


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from([b"", FTYP, FTYP + box(b"moov")]))
def test_random_bytes_never_raise(data: bytes, prefix: bytes) -> None:
    with no_unexpected_error():
        assert strip_video_metadata(prefix + data) is None


# ---------------------------------------------------------------- a real encoder (PyAV)


def encoded_movie() -> bytes:
    """A QuickTime file from FFmpeg: H.264 video, AAC sound, a subtitle track with the drone's GPS
    line, a timecode track, and the place and the camera maker in udta."""
    av = pytest.importorskip("av")
    numpy = pytest.importorskip("numpy")
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mov") as output:
        output.metadata.update(location="+43.2389+076.8897/", make=MODEL.decode())
        pictures = output.add_stream("libx264", rate=10, options={"preset": "ultrafast"})
        pictures.width, pictures.height, pictures.pix_fmt = 64, 48, "yuv420p"
        pictures.metadata["timecode"] = "00:00:00:00"
        voice = output.add_stream("aac", rate=8000)
        subtitles = output.add_mux_stream("mov_text")
        for shade in range(10):
            image = numpy.full((48, 64, 3), shade * 20, numpy.uint8)
            output.mux(pictures.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        for number in range(8):
            samples = numpy.full((1, 1024), number / 10, numpy.float32)
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 8000, number * 1024
            output.mux(voice.encode(frame))
        line = av.Packet(len(DRONE).to_bytes(2, "big") + DRONE)
        line.stream, line.pts, line.dts, line.time_base = subtitles, 0, 0, Fraction(1, 1000)
        line.duration = 1000
        output.mux(line)
        output.mux(pictures.encode())
        output.mux(voice.encode())
    return buffer.getvalue()


def decoded(data: bytes) -> tuple[list[str], list[tuple[str, int, bytes]]]:
    import av

    with av.open(io.BytesIO(data)) as container:
        kinds = [stream.type for stream in container.streams]
        playable = [s for s in container.streams if s.type in ("video", "audio")]
        frames = [
            (stream_frame.__class__.__name__, stream_frame.pts, stream_frame.to_ndarray().tobytes())
            for stream_frame in container.decode(*playable)
        ]
    return kinds, frames


def test_a_real_movie_keeps_its_pictures_and_sound_and_loses_the_rest() -> None:
    original = encoded_movie()
    cleaned = strip_video_metadata(original)
    assert cleaned is not None
    for secret in (DRONE, b"43.2389", MODEL, b"Lavf", b"tmcd", b"x264"):
        assert secret in original and secret not in cleaned, secret
    kinds, frames = decoded(original)
    assert kinds == ["video", "audio", "subtitle", "data"]
    assert decoded(cleaned) == (["video", "audio"], frames)
    assert len(frames) > 10
