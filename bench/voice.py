"""Scenario 9: masking a voice note in the cleaning sandbox's child, as the bot masks a reporter's.

Each note is synthesised speech (``tests/support/speech.py``: espeak-ng reading one Kazakh or
Russian sentence over and over in its low voice, sent as Telegram sends a voice note, OGG/Opus),
as long as the length asked for and never longer. It goes through ``CleaningSandbox.clean`` as a
recording, with the bot's default limits and mask: one child is started, decodes, masks,
encodes and exits. Its CPU time is the change of this process's ``RUSAGE_CHILDREN`` around the
call (the child is the only process waited for meanwhile; the notes are made before, and one
sentence is masked first, unmeasured); its peak memory is the ``VmHWM`` it reports
(``Cleaned.peak_rss``).
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from pathlib import Path

from bench.results import Section, mb
from bench.sizes import Sizes
from bot.cleaning.sandbox import CleaningSandbox, FileRefused
from bot.cleaning.voice import RATE
from tests.support.speech import decoded, spoken

LANGUAGES = ("kk", "ru")


@dataclass(frozen=True)
class Masking:
    speech_seconds: float
    cpu_seconds: float
    wall_seconds: float
    peak_rss: int | None
    refused: str | None = None
    """Why the sandbox refused the note; None when it was masked."""


def _length(note: bytes) -> float:
    return len(decoded(note, RATE)) / RATE


def _note(language: str, seconds: float) -> bytes:
    """A note of the sentence said as many times as fit in ``seconds`` (once at least)."""
    return spoken(language, repeat=max(1, int(seconds // _length(spoken(language)))))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _masked(sandbox: CleaningSandbox, note: bytes) -> Masking:
    peak: int | None
    reason: str | None
    cpu, started = _children_cpu(), time.perf_counter()
    try:
        cleaned = await sandbox.clean(note, recording=True)
    except FileRefused as refused:
        peak, reason = refused.peak_rss, refused.reason.value
    else:
        peak, reason = cleaned.peak_rss, None
    wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
    return Masking(_length(note), cpu, wall, peak, reason)


def _label(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("9. Voice masking")
    sandbox = CleaningSandbox()
    limits, mask = sandbox.limits, sandbox.voice
    notes = {
        (language, seconds): _note(language, seconds)
        for language in LANGUAGES
        for seconds in sizes.voice_seconds
    }
    await sandbox.clean(spoken(LANGUAGES[0]), recording=True)  # the libraries read from disk
    section.add(
        "notes masked: languages × lengths",
        f"{', '.join(LANGUAGES)} × {', '.join(map(_label, sizes.voice_seconds))}",
    )
    for (language, seconds), note in notes.items():
        done = await _masked(sandbox, note)
        name = f"{language}, {_label(seconds)} ({done.speech_seconds:.1f} s of speech)"
        section.add(
            f"{name}: CPU per second of voice", f"{done.cpu_seconds / done.speech_seconds:.3f} s"
        )
        within = done.refused is None
        section.add(
            f"{name}: child's CPU, wall time",
            f"{done.cpu_seconds:.1f} s, {done.wall_seconds:.1f} s"
            + ("" if within else f" (refused: {done.refused})"),
            f"masked within {limits.sound_cpu_seconds} s of CPU, "
            f"{limits.sound_timeout_seconds:.0f} s",
            within,
        )
        section.add(f"{name}: child's peak RSS", mb(done.peak_rss) if done.peak_rss else "—")
    section.notes.append(
        "Each note is synthesised speech (`tests/support/speech.py`): espeak-ng reads one "
        "sentence in its low voice as many times as fit in the length, encoded as Telegram "
        "encodes a voice note (OGG/Opus, 48 kHz, mono); sizes "
        f"{', '.join(f'{len(note) // 1024} KB' for note in notes.values())}. "
        "`CleaningSandbox.clean` masks it as it masks a reporter's recording "
        "(`bot/cleaning/sandbox.py`, `bot/cleaning/voice.py`): one child, started for the note, "
        f"decodes it at {RATE // 1000} kHz, moves its pitch to {mask.pitch_hz:g} Hz and its "
        f"formants by {mask.formant_ratio:g} (Praat's Change gender through praat-parselmouth) "
        f"and encodes it as OGG/Opus, within its limits ({mb(limits.sound_memory_bytes)} of "
        f"address space, {limits.sound_cpu_seconds} s of CPU, {limits.sound_timeout_seconds:.0f} "
        f"s; notes over {mask.max_seconds // 60} minutes are refused). The child's CPU time (user "
        "and system, its start and imports included) is this process's `RUSAGE_CHILDREN` before "
        "and after the call; its peak RSS is the `VmHWM` it reports. One note at a time, after "
        "one sentence masked unmeasured (so that the first child does not read the libraries "
        "from disk)."
    )
    return section
