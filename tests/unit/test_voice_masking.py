"""Voice masking (``bot.cleaning.voice``) on synthesised speech: Kazakh and Russian, a deep man's
voice and a high woman's. Every voice comes out at the one target pitch, its formants moved by
the configured ratio, as long as it went in, as a voice note Telegram plays."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from bot.cleaning import voice
from bot.cleaning.voice import RATE, TooLong, mask_voice, masked
from bot.cleaning.voice_mask import VoiceMask
from tests.fakeapi import is_voice_note
from tests.support.speech import (
    HIGH,
    LOW,
    SPEAKERS,
    Speaker,
    decoded,
    envelope_ratio,
    median_pitch,
    spoken,
    streams_of,
)

TARGET = VoiceMask().pitch_hz
VOICES = [(language, speaker) for language in ("kk", "ru") for speaker in SPEAKERS]
NAMES = [f"{language}-{speaker.name}" for language, speaker in VOICES]


@functools.cache
def masked_note(language: str, speaker: Speaker, formant_ratio: float = 0.85) -> bytes:
    return mask_voice(spoken(language, speaker), VoiceMask(formant_ratio=formant_ratio))


def near(value: float, target: float, share: float) -> bool:
    return abs(value - target) <= share * target


@pytest.mark.parametrize(("language", "speaker"), VOICES, ids=NAMES)
def test_every_voice_is_moved_to_the_one_target_pitch(language: str, speaker: Speaker) -> None:
    before = median_pitch(decoded(spoken(language, speaker)))
    after = median_pitch(decoded(masked_note(language, speaker)))
    assert not near(before, TARGET, 0.25), f"the voice was far from the target: {before:.0f} Hz"
    assert near(after, TARGET, 0.10), f"{before:.0f} Hz became {after:.0f} Hz"


def test_the_two_voices_differ_before_and_sound_alike_after() -> None:
    for language in ("kk", "ru"):
        low, high = (median_pitch(decoded(spoken(language, speaker))) for speaker in SPEAKERS)
        assert high > 2.5 * low
        low, high = (median_pitch(decoded(masked_note(language, speaker))) for speaker in SPEAKERS)
        assert near(high, low, 0.12)


@pytest.mark.parametrize("ratio", [0.85, 1.15])
@pytest.mark.parametrize(("language", "speaker"), VOICES, ids=NAMES)
def test_the_spectral_envelope_moves_by_the_configured_ratio(
    language: str, speaker: Speaker, ratio: float
) -> None:
    before = decoded(spoken(language, speaker))
    after = decoded(masked_note(language, speaker, ratio))
    assert envelope_ratio(before, after) == pytest.approx(ratio, abs=0.02)


def test_the_envelope_measure_finds_no_move_where_there_is_none() -> None:
    speech = decoded(spoken("ru", HIGH))
    assert envelope_ratio(speech, speech) == 1.0


@pytest.mark.parametrize(("language", "speaker"), VOICES, ids=NAMES)
def test_a_masked_voice_keeps_its_length_and_is_a_voice_note(
    language: str, speaker: Speaker
) -> None:
    original, result = spoken(language, speaker), masked_note(language, speaker)
    assert result != original
    assert streams_of(result) == ("ogg", [("opus", 1)])
    assert result.startswith(b"OggS") and is_voice_note(result)
    before, after = len(decoded(original)), len(decoded(result))
    assert near(after, before, 0.05), f"{before / RATE:.2f} s became {after / RATE:.2f} s"


def test_a_recording_over_the_budget_is_refused() -> None:
    note = spoken("kk", HIGH)
    seconds = len(decoded(note)) / RATE
    assert 5 < seconds < 6
    assert mask_voice(note, VoiceMask(max_seconds=6))
    with pytest.raises(TooLong):
        mask_voice(note, VoiceMask(max_seconds=5))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_segments_join_without_losing_a_sample_or_the_target(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(voice, "SEGMENT_SECONDS", 1)
    original = spoken(language, LOW)
    result = mask_voice(original, VoiceMask())
    assert len(decoded(result)) == len(decoded(original)), "five joins, not a sample lost"
    assert near(median_pitch(decoded(result)), TARGET, 0.10)


@pytest.mark.parametrize(
    "length",
    [RATE - 1, RATE, RATE + 1, RATE + 399, RATE + 400, RATE + 800, 2 * RATE + 1, 3 * RATE // 2],
)
def test_any_length_across_a_segment_boundary_is_kept(
    length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A last piece shorter than the cross-fade too (one second's segments: 16,000 samples)."""
    monkeypatch.setattr(voice, "SEGMENT_SECONDS", 1)
    samples = voice.decode_speech(spoken("ru", HIGH), 60)[:length]
    assert sum(len(part) for part in masked(samples, VoiceMask())) == length


def steady_vowel(seconds: float) -> np.ndarray:
    """A held vowel: a 150 Hz harmonic complex with a slight vibrato, at a steady level."""
    time = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * np.cumsum(150 * (1 + 0.02 * np.sin(2 * np.pi * 3 * time))) / RATE
    harmonics = sum(np.sin(k * phase) / k for k in range(1, 20))
    return (0.3 * np.asarray(harmonics)).astype(np.float32)


def test_a_held_vowel_has_no_click_and_no_gap_where_segments_join(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At a join, a silence would show as a fall of the level (10 ms frames), a click as a step
    between two samples larger than any in the vowel itself. The cross-fade of two segments
    whose pitch periods are out of step may lower the level there by a few dB: not a gap."""
    monkeypatch.setattr(voice, "SEGMENT_SECONDS", 1)
    vowel = steady_vowel(3.2)
    result = np.concatenate(list(masked(vowel, VoiceMask())))
    assert len(result) == len(vowel)
    assert near(median_pitch(result), TARGET, 0.10)
    frame = RATE // 100
    levels = np.sqrt(np.mean(result[: len(result) // frame * frame].reshape(-1, frame) ** 2, 1))
    steady = float(np.median(levels))
    steps = np.abs(np.diff(result))
    near_joins = np.zeros(len(steps), dtype=bool)
    for join in (RATE, 2 * RATE, 3 * RATE):
        around = levels[join // frame - 5 : join // frame + 5]
        assert 0.4 * steady < around.min() and around.max() < 1.6 * steady, around / steady
        near_joins[join - frame * 5 : join + frame * 5] = True
    elsewhere = steps[frame * 5 : -frame * 5][~near_joins[frame * 5 : -frame * 5]]
    assert steps[near_joins].max() < 1.25 * elsewhere.max()
