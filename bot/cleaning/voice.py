"""Voice masking: a recording decoded, its voice changed, and encoded again as OGG/Opus.

A voice is biometric: the official a report is about, or a friend of theirs in the department,
may recognise it at once. So every voice note and audio file is masked in the sandbox's child
before anything of it is stored, and only the masked recording is ever kept or sent. The
transformation is Praat's "Change gender" (through ``praat-parselmouth``): a pitch-synchronous
overlap-add that moves the median pitch of the speech to one fixed target for every speaker
and shifts the formants (the timbre) by a fixed ratio, leaving the words and their timing.
FFmpeg (through PyAV) decodes whatever container and codec the recording came in and encodes
the result; nothing here is hand-written signal processing.

What it cannot hide (the words, the way of speaking, background sounds, a name said aloud) is
in docs/threat-model.md and in what the reporter is told.

Budgets, as for the other decoders: the recording is refused when it lasts longer than
``max_seconds`` (decoding stops there, whatever the container declares: ten hours of silence
compress to kilobytes), when FFmpeg finds it damaged, or when it holds no sound. It is processed
in segments of ``SEGMENT_SECONDS``, so memory grows with the decoded samples (4 bytes each at
16 kHz: 38 MB for ten minutes), not with Praat's working copies.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from fractions import Fraction
from itertools import chain
from typing import Any

import av
import numpy as np
import parselmouth
from parselmouth.praat import call

from bot.cleaning.voice_mask import VoiceMask

RATE = 16_000
"""Speech is masked and kept at 16 kHz: its words are all below 8 kHz."""
SEGMENT_SECONDS = 30
PAD_SECONDS = 0.5
"""Each segment is masked with this much of its neighbours on both sides, so that the edges of
Praat's output fall outside what is kept."""
FADE_SECONDS = 0.05
"""Consecutive segments cross-fade over this much, centred on their boundary."""
OPUS_RATE = 48_000
OPUS_BITRATE = 32_000
MIN_PITCH, MAX_PITCH = 75.0, 600.0
"""The range in which Praat looks for the speaker's pitch: a deep man's voice to a child's."""
MIN_WINDOW = int(4 / MIN_PITCH * RATE)
"""Praat's pitch analysis needs a few periods of the lowest pitch: a shorter recording is masked
padded with silence, then cut back."""
_STRICT = {"err_detect": "crccheck+explode"}
_OGG_HEADER = 27
_OGG_END_OF_STREAM = 0x04


class Unmaskable(Exception):
    """A recording that cannot be masked: it is refused, never kept as sent."""


class TooLong(Unmaskable):
    """Longer than the budget."""


def mask_voice(data: bytes, mask: VoiceMask) -> bytes:
    """``data`` (any audio FFmpeg reads) masked, as OGG/Opus for a Telegram voice note."""
    samples = decode_speech(data, mask.max_seconds)
    output = io.BytesIO()
    with av.open(output, "w", format="ogg") as container:
        stream: Any = container.add_stream("libopus", rate=OPUS_RATE, layout="mono")
        stream.bit_rate = OPUS_BITRATE
        encode(container, stream, masked(samples, mask))
    return output.getvalue()


def decode_speech(data: bytes, max_seconds: int) -> np.ndarray:
    """The first sound track of ``data`` as mono float32 samples at ``RATE``; raises
    ``Unmaskable`` for a damaged file or one with no sound, ``TooLong`` past ``max_seconds``."""
    if data.startswith(b"OggS"):
        check_ogg_pages(data)
    limit = max_seconds * RATE
    # Filled in place: untouched pages of the buffer take no memory, and no second copy is made.
    samples = np.empty(limit, dtype=np.float32)
    decoded = 0
    try:
        with av.open(io.BytesIO(data), "r", options=_STRICT) as container:
            if not container.streams.audio:
                raise Unmaskable("no sound")
            source = container.streams.audio[0]
            base = source.time_base
            declared = source.duration * base if source.duration and base is not None else 0
            if declared > max_seconds:
                raise TooLong
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            for frame in chain(_frames(container, source), [None]):
                for converted in resampler.resample(frame):
                    chunk = converted.to_ndarray()[0]
                    if decoded + len(chunk) > limit:
                        raise TooLong
                    samples[decoded : decoded + len(chunk)] = chunk
                    decoded += len(chunk)
    except (av.FFmpegError, UnicodeDecodeError) as exc:
        raise Unmaskable(type(exc).__name__) from exc
    if not decoded:
        raise Unmaskable("no sound")
    return samples[:decoded]


def check_ogg_pages(data: bytes) -> None:
    """Raises ``Unmaskable`` unless ``data`` is whole Ogg pages, the last one ending the stream.

    FFmpeg stops quietly at a page cut short (a recording whose upload broke off), and would
    mask what came before it; such a file is refused instead, so the reporter sends it again.
    """
    position, flags = 0, 0
    while position < len(data):
        header = data[position : position + _OGG_HEADER]
        if len(header) < _OGG_HEADER or not header.startswith(b"OggS"):
            raise Unmaskable("ogg page")
        segments = header[26]
        table = data[position + _OGG_HEADER : position + _OGG_HEADER + segments]
        if len(table) < segments:
            raise Unmaskable("ogg page")
        flags = header[5]
        position += _OGG_HEADER + segments + sum(table)
    if position != len(data) or not flags & _OGG_END_OF_STREAM:
        raise Unmaskable("ogg page")


def _frames(container: Any, source: Any) -> Iterator[Any]:
    """The decoded frames of ``source``; a packet FFmpeg cannot decode raises ``FFmpegError``
    (``err_detect=explode`` makes its decoders say so instead of concealing the damage, and
    ``crccheck`` has the Ogg demuxer check every page's CRC)."""
    source.codec_context.options = _STRICT
    for packet in container.demux(source):
        yield from packet.decode()


def masked(samples: np.ndarray, mask: VoiceMask) -> Iterator[np.ndarray]:
    """``samples`` masked, segment by segment (float32 at ``RATE``), the same length in all."""
    segment, pad, fade = SEGMENT_SECONDS * RATE, int(PAD_SECONDS * RATE), int(FADE_SECONDS * RATE)
    total = len(samples)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    tail: np.ndarray | None = None
    boundaries = list(range(segment, total, segment))
    if boundaries and total - boundaries[-1] < fade:
        boundaries.pop()  # a last piece shorter than the cross-fade goes with the one before it
    for start, end in zip([0, *boundaries], [*boundaries, total], strict=True):
        lead = min(pad, start)
        window = samples[start - lead : min(end + pad, total)]
        keep_from = lead - (fade // 2 if start else 0)
        keep_to = lead + (end - start) + (fade - fade // 2 if end < total else 0)
        part = _changed(window, mask)[keep_from:keep_to]
        if tail is not None:
            part[:fade] = tail * (1.0 - ramp) + part[:fade] * ramp
        if end < total:
            tail = part[-fade:].copy()
            part = part[:-fade]
        yield part


def _changed(window: np.ndarray, mask: VoiceMask) -> np.ndarray:
    padded = np.pad(window.astype(np.float64), (0, max(0, MIN_WINDOW - len(window))))
    sound = parselmouth.Sound(padded, sampling_frequency=RATE)
    with warnings.catch_warnings():
        # Praat warns of a segment with no voiced part (a pause): its timbre is still shifted.
        warnings.simplefilter("ignore", parselmouth.PraatWarning)
        try:
            changed = call(
                sound,
                "Change gender",
                MIN_PITCH,
                MAX_PITCH,
                mask.formant_ratio,
                mask.pitch_hz,
                1.0,
                1.0,
            )
        except parselmouth.PraatError as exc:
            raise Unmaskable("praat") from exc
    values: np.ndarray = np.asarray(changed.values[0], dtype=np.float32)[: len(window)]
    if len(values) < len(window):  # Praat keeps the length; never let a rounding shorten it
        values = np.pad(values, (0, len(window) - len(values)))
    clipped: np.ndarray = np.clip(values, -1.0, 1.0)
    return clipped


def encode(container: Any, stream: Any, parts: Iterator[np.ndarray]) -> None:
    """Mono float32 parts at ``RATE``, resampled to ``stream``'s rate, encoded and muxed; each
    frame is stamped with its time, which the MP4 muxer needs (``bot.cleaning.video_voice``)."""
    resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=stream.rate)
    position = 0
    for part in parts:
        frame = av.AudioFrame.from_ndarray(part[None, :], format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = RATE, position, Fraction(1, RATE)
        position += len(part)
        for converted in resampler.resample(frame):
            container.mux(stream.encode(converted))
    for converted in resampler.resample(None):
        container.mux(stream.encode(converted))
    container.mux(stream.encode(None))
