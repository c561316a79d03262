"""A video's sound masked like a voice note, its pictures untouched.

A video's sound track carries the same voice as a voice note. In the sandbox's child, its first
sound track is decoded, masked and encoded again as AAC (``bot.cleaning.voice``), and the file is
remuxed around it: the video tracks are copied packet for packet, never re-encoded, into a file of
the same family (MP4, QuickTime or 3GP, so that its detected type stays true), in memory. Other
sound tracks are left out, with the subtitles and timed metadata. The remuxed file then goes
through the allow-list of every video (``bot.cleaning.video``).

Only a video the allow-list can prove clean as sent is remuxed (``bot.cleaning.child``): one it
cannot is kept as sent, with the officers' warning, before FFmpeg or Praat is loaded. Where the
sound cannot be masked (no sound, a codec FFmpeg cannot decode, damaged, longer than the voice
budget) or the remux fails, the video is cleaned as before: its metadata stripped, its sound as
sent.
"""

from __future__ import annotations

import heapq
import io
import logging
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import av

from bot.cleaning.video import strip_video_metadata
from bot.cleaning.voice import Unmaskable, decode_speech, encode, masked
from bot.cleaning.voice_mask import VoiceMask

logger = logging.getLogger(__name__)

AAC_RATE = 48_000
AAC_BITRATE = 64_000


def masked_video(data: bytes, mask: VoiceMask) -> bytes | None:
    """The video with its sound masked and its metadata stripped; None when its sound cannot be
    masked or the remuxed file fails the allow-list. Never raises."""
    remuxed = with_masked_voice(data, mask)
    return None if remuxed is None else strip_video_metadata(remuxed)


def has_sound(data: bytes) -> bool:
    """Whether the video holds a sound track; True when FFmpeg cannot tell (the officers are
    then warned of a voice that may be in it)."""
    try:
        with av.open(io.BytesIO(data)) as container:
            return bool(container.streams.audio)
    except Exception:  # any failure to read it means "cannot tell"
        return True


def with_masked_voice(data: bytes, mask: VoiceMask) -> bytes | None:
    """The video with its first sound track masked and nothing else of its own but its video
    tracks; None when its sound cannot be masked or the remux fails. Never raises."""
    try:
        return _remuxed(data, _masked_sound(data, mask))
    except Unmaskable as reason:
        logger.info("A video's sound was not masked (%s)", reason or type(reason).__name__)
    except Exception as exc:
        logger.warning("A video could not be remuxed (%s)", type(exc).__name__)
    return None


def _masked_sound(data: bytes, mask: VoiceMask) -> bytes:
    """The first sound track of ``data``, masked, as AAC in an MP4 of its own."""
    samples = decode_speech(data, mask.max_seconds)
    sound = io.BytesIO()
    with av.open(sound, "w", format="mp4") as container:
        stream: Any = container.add_stream("aac", rate=AAC_RATE, layout="mono")
        stream.bit_rate = AAC_BITRATE
        encode(container, stream, masked(samples, mask))
    return sound.getvalue()


def _remuxed(data: bytes, sound: bytes) -> bytes:
    """``data``'s video tracks and ``sound``, their packets merged by time, the masked sound
    starting when the original did."""
    output = io.BytesIO()
    with (
        av.open(io.BytesIO(data)) as source,
        av.open(io.BytesIO(sound)) as voice,
        av.open(output, "w", format=_family(data)) as remux,
    ):
        original = source.streams.audio[0]
        base = original.time_base
        start = original.start_time * base if original.start_time and base else 0
        pictures: dict[int, Any] = {}
        for stream in source.streams.video:
            pictures[stream.index] = remux.add_stream_from_template(stream)
            # PyAV resets the tag; Apple's players need HEVC's to stay "hvc1".
            pictures[stream.index].codec_context.codec_tag = stream.codec_context.codec_tag
        spoken = {0: remux.add_stream_from_template(voice.streams.audio[0])}
        for _time, packet in heapq.merge(
            _packets(source, pictures, 0),
            _packets(voice, spoken, start),
            key=lambda timed: timed[0],
        ):
            remux.mux(packet)
    return output.getvalue()


def _packets(
    container: Any, copies: dict[int, Any], shift: Fraction | int
) -> Iterator[tuple[Fraction, Any]]:
    """(time, packet) of the streams with a copy (by index), in the file's order, each packet
    moved to its copy and ``shift`` seconds later; not the empty packets that end a stream."""
    for packet in container.demux(*(container.streams[index] for index in copies)):
        if packet.dts is None:
            continue
        if shift:
            moved = round(shift / packet.time_base)
            packet.dts += moved
            if packet.pts is not None:
                packet.pts += moved
        time = packet.dts * packet.time_base
        packet.stream = copies[packet.stream.index]
        yield time, packet


def _family(data: bytes) -> str:
    """The muxer for the file's family, by its major brand, as ``bot.cleaning.filetypes``
    names its type."""
    brand = data[8:12]
    if brand == b"qt  ":
        return "mov"
    return "3gp" if brand.startswith(b"3g") else "mp4"
