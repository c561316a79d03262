"""The one voice every recording is given (``VOICE_PITCH_HZ``, ``VOICE_FORMANT_RATIO``) and the
longest recording masked (``MAX_VOICE_MINUTES``): known to the bot's process, which starts the
sandbox's child with it, and to the child, which masks (``bot.cleaning.voice``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoiceMask:
    pitch_hz: float = 110.0
    """The median pitch every voice is moved to: a low man's voice, as GlobaLeaks chose."""
    formant_ratio: float = 0.85
    """The formants (the timbre) are moved by this ratio: below 1, a larger, deeper voice."""
    max_seconds: int = 600

    def argument(self) -> str:
        """The child's command-line argument for this mask."""
        return f"{self.pitch_hz!r},{self.formant_ratio!r},{self.max_seconds}"

    @classmethod
    def parsed(cls, argument: str) -> VoiceMask:
        pitch, ratio, seconds = argument.split(",")
        return cls(float(pitch), float(ratio), int(seconds))
