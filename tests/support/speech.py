"""Synthesised speech, as a reporter's phone would send it: Debian's ``espeak-ng`` (installed by
.ci/run) reads a Kazakh or a Russian sentence in one of two very different voices, and PyAV
encodes it as a Telegram voice note (OGG/Opus, 48 kHz, mono); and what the tests measure of a
voice: its container, its median pitch and how far its spectral envelope moved."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Any

import av
import numpy as np
import parselmouth
from parselmouth.praat import call

SENTENCES = {
    "kk": "Мектеп директоры ата-аналардан ақша жинайды, әр сыныптан он мың теңге сұрайды.",
    "ru": "Заведующая детским садом требует деньги за место в очереди, по двадцать тысяч.",
}
CODECS = {
    "ogg": ("ogg", "libopus", 32_000),
    "mp3": ("mp3", "libmp3lame", 64_000),
    "m4a": ("ipod", "aac", 64_000),
}
"""By extension: FFmpeg's container, the encoder and its bit rate."""
SCALES = [round(0.6 + step / 100, 2) for step in range(81)]
"""The envelope ratios ``envelope_ratio`` tries: 0.6 to 1.4."""
ENVELOPE_BAND = (300.0, 4500.0)
"""Where the formants of speech are, and where Praat's estimate of them is steady."""


@dataclass(frozen=True, slots=True)
class Speaker:
    """An espeak-ng voice: its variant and its pitch (0-99)."""

    name: str
    variant: str
    pitch: int


LOW = Speaker("low", "m3", 15)
"""A deep man's voice: a median pitch near 80 Hz."""
HIGH = Speaker("high", "f3", 85)
"""A high woman's voice: a median pitch near 280 Hz."""
SPEAKERS = (LOW, HIGH)


@cache
def spoken(language: str, speaker: Speaker = LOW, repeat: int = 1) -> bytes:
    """``SENTENCES[language]`` said by ``speaker`` (``repeat`` times), as an OGG/Opus voice note."""
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is missing: .ci/run installs it (apt-get install espeak-ng)"
    text = " ".join([SENTENCES[language]] * repeat)
    wav = subprocess.run(  # noqa: S603 - a fixed program and our own sentence
        [espeak, "-v", f"{language}+{speaker.variant}", "-p", str(speaker.pitch), "--stdout", text],
        check=True,
        capture_output=True,
    ).stdout
    return voice_note(decoded(wav, 48_000), 48_000)


def decoded(data: bytes, rate: int = 16_000) -> np.ndarray:
    """Any audio as mono float32 samples at ``rate``."""
    parts = []
    with av.open(io.BytesIO(data)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        for frame in container.decode(audio=0):
            parts.extend(part.to_ndarray()[0] for part in resampler.resample(frame))
        parts.extend(part.to_ndarray()[0] for part in resampler.resample(None))
    return np.concatenate(parts)


def voice_note(samples: np.ndarray, rate: int) -> bytes:
    """Mono float samples encoded as Telegram encodes a voice note: OGG/Opus."""
    return encoded(samples, rate, "ogg")


def audio_file(language: str, extension: str, speaker: Speaker = LOW) -> bytes:
    """``spoken(language, speaker)`` as an audio file a phone keeps: ``mp3`` or ``m4a``."""
    return encoded(decoded(spoken(language, speaker), 48_000), 48_000, extension)


def encoded(samples: np.ndarray, rate: int, extension: str) -> bytes:
    """Mono float samples as a file of ``extension``: ``ogg`` (Opus), ``mp3`` or ``m4a`` (AAC)."""
    container_format, codec, bit_rate = CODECS[extension]
    output = io.BytesIO()
    with av.open(output, "w", format=container_format) as container:
        stream: Any = container.add_stream(codec, rate=48_000, layout="mono")
        stream.bit_rate = bit_rate
        frame = av.AudioFrame.from_ndarray(
            samples.astype(np.float32)[None, :], format="flt", layout="mono"
        )
        frame.sample_rate = rate
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=48_000)
        for part in [*resampler.resample(frame), *resampler.resample(None), None]:
            container.mux(stream.encode(part))
    return output.getvalue()


def streams_of(data: bytes) -> tuple[str, list[tuple[str, int]]]:
    """The container FFmpeg finds in ``data``, and the codec and channels of each stream."""
    with av.open(io.BytesIO(data)) as container:
        return container.format.name, [
            (stream.codec_context.name, stream.codec_context.channels)
            for stream in container.streams
        ]


def median_pitch(samples: np.ndarray, rate: int = 16_000) -> float:
    """Hz: the median of the pitch Praat finds in the voiced frames."""
    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate)
    frequencies = sound.to_pitch(pitch_floor=60, pitch_ceiling=500).selected_array["frequency"]
    return float(np.median(frequencies[frequencies > 0]))


def envelope(samples: np.ndarray, rate: int = 16_000) -> tuple[np.ndarray, np.ndarray]:
    """The spectral envelope: Praat's long-term average spectrum of the voiced parts, corrected
    for their pitch (so that a higher voice's sparser harmonics do not show as formants); its
    bins' frequencies, and their levels in dB."""
    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=rate)
    ltas = call(sound, "To Ltas (pitch-corrected)", 75, 600, 6000, 100, 0.0001, 0.02, 1.3)
    bins = range(1, int(call(ltas, "Get number of bins")) + 1)
    frequencies = [call(ltas, "Get frequency from bin number", number) for number in bins]
    levels = [call(ltas, "Get value in bin", number) for number in bins]
    return np.array(frequencies), np.array(levels)


def envelope_ratio(before: np.ndarray, after: np.ndarray, rate: int = 16_000) -> float:
    """The scale ``s`` in ``SCALES`` for which the envelope of ``after`` at ``f`` best matches
    that of ``before`` at ``f / s``, over ``ENVELOPE_BAND``, whatever their levels (the mean
    of each is taken off): how far the formants moved."""
    before_hz, before_db = envelope(before, rate)
    after_hz, after_db = envelope(after, rate)
    low, high = ENVELOPE_BAND
    band = (after_hz >= low) & (after_hz <= high)
    target = after_db[band] - after_db[band].mean()

    def misfit(scale: float) -> float:
        moved = np.interp(after_hz[band] / scale, before_hz, before_db)
        return float(np.sum((target - moved + moved.mean()) ** 2))

    return min(SCALES, key=misfit)
