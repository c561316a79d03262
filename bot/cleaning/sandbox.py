"""The cleaning sandbox: every decoder that reads a reporter's file runs in a child process.

A decoder fed a hostile file can take gigabytes (a 3 KB WebP that declares 9,400 × 9,400 pixels),
minutes of CPU, or crash. So each file that is cleaned gets a short-lived child
(``python -m bot.cleaning.child``) with its own limits: its address space (``RLIMIT_AS``), its CPU
time (``RLIMIT_CPU``) and a wall-clock timeout after which it is killed. At most ``slots`` children
run at once per bot; the others wait their turn. The file goes in on stdin and comes back on
stdout: nothing is written to disk. The child gets none of the bot's environment, so neither
the token nor the keys.

What becomes of a file, by the cleaner its content calls for (``bot.cleaning.filetypes``):

- image (JPEG, PNG, WebP): cleaned, or refused: over the pixel budget, unreadable, or over the
  child's memory or time. A picture meant to be cleaned is never kept as sent.
- document (PDF, OOXML, ODF): cleaned, kept as sent when the cleaner cannot prove it clean, or
  refused when it refuses the file or its child dies or runs out of time.
- video: cleaned, its sound masked where it can be (``masked``, ``bot.cleaning.video_voice``);
  or kept as sent (with the officers' warning) when its metadata cannot be stripped or its child
  fails: a video is never labelled cleaned unless it was, and never lost.
- recording (a voice note or audio file, or a file whose content is audio): masked
  (``bot.cleaning.voice``) and kept as OGG/Opus, or refused: too long, damaged, no sound, or over
  the child's memory or time. A recording is never kept as sent.
- anything else (HEIC, archives, unknown): kept as sent, no child.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.cleaning import child
from bot.cleaning.filetypes import VOICE, Cleaner, FileType, detect, with_extension
from bot.cleaning.voice_mask import VoiceMask

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
_TRAILER_LENGTH = 4
MAX_EXTENSION = 8
_PASSED_ENVIRONMENT = ("HOME", "LANG", "LC_ALL", "TMPDIR")
_SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
"""NumPy's BLAS would start a thread per core, each with its own buffers, for nothing here."""


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    slots: int = 1
    """Children at once, per bot process: the bot itself (about 190 MB) and one child at its
    limit stay under 400 MB, and the event loop keeps a core of a two-core server."""
    memory_bytes: int = 224 * 1024 * 1024
    """Each child's address space (RLIMIT_AS), the interpreter, its libraries and the file
    included: a 16-megapixel JPEG turned upright takes about 150 MB (bench/RESULTS.md)."""
    cpu_seconds: int = 10
    timeout_seconds: float = 30.0
    """Wall-clock, from the child's start: a child still running then is killed."""
    max_pixels: int = 16_000_000
    """The largest picture cleaned, 4,608 × 3,456 (a WebP: half as many). A JPEG over it is
    decoded at a half, a quarter or an eighth of its size; a PNG or WebP is refused."""
    sound_memory_bytes: int = 640 * 1024 * 1024
    """The address space of a child that masks a voice (a recording, or a video's sound):
    FFmpeg's and Praat's libraries alone map 440 MB, of which about 120 MB are resident; a
    ten-minute note peaks at 243 MB resident (bench/RESULTS.md, scenario 9), a 26 MB video with
    ten minutes of sound at about 320 MB."""
    sound_cpu_seconds: int = 40
    """A ten-minute note takes about 14 s of CPU (bench/RESULTS.md, scenario 9)."""
    sound_timeout_seconds: float = 60.0

    def of(self, cleaner: Cleaner) -> tuple[int, int, float]:
        """The memory, CPU seconds and wall-clock seconds of a child running ``cleaner``."""
        if cleaner in (Cleaner.AUDIO, Cleaner.VIDEO):
            return self.sound_memory_bytes, self.sound_cpu_seconds, self.sound_timeout_seconds
        return self.memory_bytes, self.cpu_seconds, self.timeout_seconds


class Refusal(StrEnum):
    TOO_LARGE = "too_large"
    """A picture over the pixel budget."""
    UNSAFE = "unsafe"
    """Could not be checked safely: unreadable, refused by its cleaner, or over the limits."""
    TOO_LONG = "too_long"
    """A recording longer than the voice budget."""
    UNMASKABLE = "unmaskable"
    """A recording whose voice could not be masked: damaged, silent, not audio, or over the
    limits."""


class FileRefused(Exception):
    """A file meant to be cleaned that could not be: nothing of it may be stored."""

    def __init__(self, reason: Refusal, peak_rss: int | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.peak_rss = peak_rss


@dataclass(frozen=True, slots=True)
class Cleaned:
    data: bytes
    """The cleaned file, or the file as sent when ``cleaned`` is False."""
    file_type: FileType
    cleaned: bool
    peak_rss: int | None = None
    """The child's peak resident memory in bytes; None without a child or when it was killed."""
    masked: bool = False
    """The voice in it was masked: a recording (now OGG/Opus), or a video's sound."""
    voice_kept: bool = False
    """A cleaned video whose sound could not be masked: its voice is as recorded."""


@dataclass(frozen=True, slots=True)
class _Finished:
    """What the child said; ``header`` None when it died, ran out of time or said nonsense."""

    header: dict[str, Any] | None
    payload: bytes = b""


class CleaningSandbox:
    def __init__(self, limits: SandboxLimits | None = None, voice: VoiceMask | None = None) -> None:
        self.limits = limits or SandboxLimits()
        self.voice = voice or VoiceMask()
        self._slots = asyncio.Semaphore(self.limits.slots)

    async def clean(self, data: bytes, *, recording: bool = False) -> Cleaned:
        """``data`` cleaned, or kept as sent; raises ``FileRefused`` for a file that may not be
        kept (see the module's docstring). A ``recording`` (sent as a voice note or an audio
        file) is masked whatever its content turns out to be."""
        found = detect(data)
        if recording and found.cleaner is not Cleaner.AUDIO:
            found = FileType(found.extension, found.mime_type, Cleaner.AUDIO)
        if found.cleaner is Cleaner.NONE:
            return Cleaned(data, found, cleaned=False)
        async with self._slots:
            finished = await self._run(found.cleaner, data)
        return _outcome(found, data, finished)

    async def _run(self, cleaner: Cleaner, data: bytes) -> _Finished:
        memory, cpu, timeout = self.limits.of(cleaner)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-P",
                "-m",
                "bot.cleaning.child",
                cleaner.value,
                str(memory),
                str(cpu),
                str(self.limits.max_pixels),
                self.voice.argument(),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=_child_environment(),
            )
        except OSError as exc:  # no memory or no process left to start one: as if it died
            logger.warning("A %s cleaner could not be started (%s)", cleaner.value, exc.strerror)
            return _Finished(None)
        try:
            output, _ = await asyncio.wait_for(process.communicate(data), timeout)
        except TimeoutError:
            logger.warning("A %s cleaner ran out of time and was stopped", cleaner.value)
            return _Finished(None)
        finally:
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        if process.returncode != 0:
            logger.warning("A %s cleaner died (exit %s)", cleaner.value, process.returncode)
            return _Finished(None)
        return _parsed(output)


def _child_environment() -> dict[str, str]:
    passed = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
    return {
        **passed,
        **_SINGLE_THREADED,
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _parsed(output: bytes) -> _Finished:
    """The cleaned bytes and the header of the child's trailer (see ``bot.cleaning.child``)."""
    length = int.from_bytes(output[-_TRAILER_LENGTH:], "big")
    start = len(output) - _TRAILER_LENGTH - length
    if len(output) < _TRAILER_LENGTH or start < 0:
        return _Finished(None)
    try:
        header = json.loads(output[start : start + length])
    except ValueError:
        return _Finished(None)
    return _Finished(header if isinstance(header, dict) else None, output[:start])


def _outcome(found: FileType, data: bytes, finished: _Finished) -> Cleaned:
    header = finished.header or {"outcome": child.FAILED}
    outcome = header.get("outcome")
    peak = header.get("peak") if isinstance(header.get("peak"), int) else None
    extension = header.get("extension")
    if isinstance(extension, str) and extension.isalnum() and len(extension) <= MAX_EXTENSION:
        found = with_extension(found, extension)
    if header.get("error"):
        logger.info("A %s file could not be cleaned (%s)", found.extension, header["error"])
    if found.cleaner is Cleaner.AUDIO:
        if outcome == child.CLEANED:
            return Cleaned(finished.payload, VOICE, cleaned=True, peak_rss=peak, masked=True)
        refusal = Refusal.TOO_LONG if outcome == child.TOO_LONG else Refusal.UNMASKABLE
        raise FileRefused(refusal, peak)
    if outcome == child.CLEANED:
        return Cleaned(
            finished.payload,
            found,
            cleaned=True,
            peak_rss=peak,
            masked=header.get("masked") is True,
            voice_kept=header.get("voice_kept") is True,
        )
    if outcome == child.KEPT or found.cleaner is Cleaner.VIDEO:
        return Cleaned(data, found, cleaned=False, peak_rss=peak)
    refusal = Refusal.TOO_LARGE if outcome == child.TOO_LARGE else Refusal.UNSAFE
    raise FileRefused(refusal, peak)
