"""A video's sound is masked like a voice note and its pictures are copied packet for packet; a
video whose sound cannot be masked is cleaned as before, its sound as sent."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from statistics import median
from typing import Any

import av
import numpy as np
import parselmouth
import pytest

from bot.cases.views import file_note
from bot.cleaning.sandbox import CleaningSandbox
from bot.cleaning.video import strip_video_metadata
from bot.cleaning.video_voice import masked_video, with_masked_voice
from bot.cleaning.voice_mask import VoiceMask
from bot.reports.evidence import FileKind
from bot.telegram.i18n import create_i18n
from tests.support.speech import HIGH, decoded, spoken

RATE = 16_000
PLACE = "+43.2389+076.8897/"
CAMERA = "Adal-Test-Camera"
MASK = VoiceMask()


@cache
def filmed(*, sound: bool = True) -> bytes:
    """An MP4 as a phone films it: H.264 pictures with B-frames (so an edit list and composition
    offsets), the high Russian voice as AAC, the place (``loci``), a title naming the camera and
    the time of filming."""
    speech = decoded(spoken("ru", HIGH), 48_000)
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as output:
        output.metadata.update(location=PLACE, title=CAMERA, creation_time="2024-05-01T10:00:00Z")
        pictures: Any = output.add_stream(
            "libx264",
            rate=10,
            options={"preset": "ultrafast", "x264-params": "bframes=2:log-level=none"},
        )
        pictures.width, pictures.height, pictures.pix_fmt = 64, 48, "yuv420p"
        parts: list[Any] = []
        if sound:
            voice: Any = output.add_stream("aac", rate=48_000, layout="mono")
            frame = av.AudioFrame.from_ndarray(speech[None, :], format="flt", layout="mono")
            frame.sample_rate, frame.pts = 48_000, 0
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=48_000)
            parts = [*resampler.resample(frame), *resampler.resample(None), None]
        for shade in range(len(speech) * 10 // 48_000):
            image = np.full((48, 64, 3), shade * 5 % 256, np.uint8)
            output.mux(pictures.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        output.mux(pictures.encode(None))
        for part in parts:
            output.mux(voice.encode(part))
    return buffer.getvalue()


def video_packets(data: bytes) -> list[tuple[bytes, int | None, int | None]]:
    with av.open(io.BytesIO(data)) as container:
        return [
            (bytes(packet), packet.pts, packet.dts)
            for packet in container.demux(*container.streams.video)
            if packet.dts is not None
        ]


def median_pitch(samples: np.ndarray) -> float:
    pitch = parselmouth.Sound(samples.astype(np.float64), RATE).to_pitch(
        pitch_floor=60, pitch_ceiling=500
    )
    return median(value for value in pitch.selected_array["frequency"] if value > 0)


def assert_metadata_gone(original: bytes, clean: bytes) -> None:
    for secret in (b"loci", CAMERA.encode(), b"Lavf", b"x264"):
        assert secret in original and secret not in clean, secret
    with av.open(io.BytesIO(original)) as container:
        assert {"location", "title", "creation_time"} <= set(container.metadata)
    with av.open(io.BytesIO(clean)) as container:
        assert not {"location", "title", "creation_time"} & set(container.metadata)


def assert_masked(original: bytes, clean: bytes) -> None:
    """The file's family kept, the pictures as the allow-list leaves them in any video (x264's
    settings overwritten), the voice at the mask's pitch and as long, the metadata gone."""
    today = strip_video_metadata(original)
    assert today is not None
    assert clean[4:12] == original[4:12], "the same family (major brand)"
    assert video_packets(clean) == video_packets(today)
    assert len(video_packets(clean)) > 40
    before, after = decoded(original, RATE), decoded(clean, RATE)
    assert median_pitch(before) > 1.5 * MASK.pitch_hz
    assert median_pitch(after) == pytest.approx(MASK.pitch_hz, rel=0.1)
    assert len(after) == pytest.approx(len(before), rel=0.05)
    assert_metadata_gone(original, clean)


def test_the_sound_is_masked_and_the_pictures_copied_packet_for_packet() -> None:
    original = filmed()
    remuxed = with_masked_voice(original, MASK)
    assert remuxed is not None
    assert video_packets(remuxed) == video_packets(original)
    clean = masked_video(original, MASK)
    assert clean is not None
    assert_masked(original, clean)


async def test_the_sandbox_says_the_video_was_masked() -> None:
    result = await CleaningSandbox().clean(filmed())
    assert result.cleaned and result.masked
    assert result.file_type.extension == "mp4"
    assert_masked(filmed(), result.data)


def silenced(data: bytes) -> bytes:
    """``data`` with every byte of its sound's packets zeroed: AAC that FFmpeg cannot decode."""
    damaged = bytearray(data)
    with av.open(io.BytesIO(data)) as container:
        for packet in container.demux(container.streams.audio[0]):
            if packet.size:
                damaged[packet.pos : packet.pos + packet.size] = bytes(packet.size)
    return bytes(damaged)


UNMASKABLE = {
    "no sound": lambda: (filmed(sound=False), MASK, False),
    "damaged sound": lambda: (silenced(filmed()), MASK, True),
    "longer than the budget": lambda: (filmed(), replace(MASK, max_seconds=2), True),
}


@pytest.mark.parametrize("case", UNMASKABLE.values(), ids=UNMASKABLE.keys())
async def test_a_video_whose_sound_cannot_be_masked_is_cleaned_as_before(
    case: Callable[[], tuple[bytes, VoiceMask, bool]],
) -> None:
    """Cleaned as before; a sound left as recorded is said (``voice_kept``), for the officers'
    warning (``bot.cases.views.file_note``)."""
    data, mask, sound = case()
    assert masked_video(data, mask) is None
    result = await CleaningSandbox(voice=mask).clean(data)
    assert result.cleaned and not result.masked
    assert result.voice_kept is sound
    i18n = create_i18n("ru")
    with i18n.context(), i18n.use_locale("ru"):
        note = file_note(FileKind.VIDEO, result.cleaned, result.masked, result.voice_kept)
    assert (note is not None and "⚠️" in note) is sound
    assert result.data == strip_video_metadata(data)
    assert_metadata_gone(data, result.data)
