"""Synthesised speech, as a reporter's phone would send it: Debian's ``espeak-ng`` (installed by
.ci/run) reads a Kazakh or a Russian sentence in one of two very different voices, and PyAV
encodes it as a Telegram voice note (OGG/Opus, 48 kHz, mono)."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Any

import av
import numpy as np

SENTENCES = {
    "kk": "Мектеп директоры ата-аналардан ақша жинайды, әр сыныптан он мың теңге сұрайды.",
    "ru": "Заведующая детским садом требует деньги за место в очереди, по двадцать тысяч.",
}


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
    output = io.BytesIO()
    with av.open(output, "w", format="ogg") as container:
        stream: Any = container.add_stream("libopus", rate=48_000, layout="mono")
        stream.bit_rate = 32_000
        frame = av.AudioFrame.from_ndarray(
            samples.astype(np.float32)[None, :], format="flt", layout="mono"
        )
        frame.sample_rate = rate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for part in [*resampler.resample(frame), *resampler.resample(None), None]:
            container.mux(stream.encode(part))
    return output.getvalue()
