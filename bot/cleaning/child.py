"""The sandbox's child: ``python -m bot.cleaning.child <cleaner> <memory> <cpu> <pixels> <voice>``.

Started by ``bot.cleaning.sandbox`` for one file and gone with it. It limits its own address space
to ``memory`` bytes and its CPU time to ``cpu`` seconds before it reads a byte of the file (the
hard limits too, so that nothing it runs can raise them again), reads the file from stdin and
writes to stdout the cleaned file, if any, followed by a trailer: a JSON header and its length in
four bytes. The header says what became of the file and how much memory the child used at its
peak (``VmHWM``), for the logs, the tests and the benchmark. It holds no key and no token: the
parent starts it with an environment of its own. ``voice`` is the mask every recording is given
(``bot.cleaning.voice.VoiceMask``: pitch, formant ratio and longest duration, comma-separated).
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import IO, Any

from bot.cleaning.filetypes import Cleaner
from bot.cleaning.voice_mask import VoiceMask

# What became of the file, in the header.
CLEANED = "cleaned"
KEPT = "kept"
"""Not a file this cleaner can prove clean: kept as sent."""
TOO_LARGE = "too_large"
TOO_LONG = "too_long"
"""A recording longer than the voice budget."""
REFUSED = "refused"
"""The cleaner refused it as hostile."""
FAILED = "failed"
"""The cleaner raised: a malformed file, or one over the memory limit."""


def confine(memory: int, cpu: int) -> None:
    """Limits no code in this process can raise again: address space, CPU time, no core dump,
    no byte written to a regular file (only the stdout pipe and /dev/null take output) and, for
    a user other than root, no new process. A decoder that an
    exploit took over can still read what the bot's user may read; see docs/threat-model.md."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))


def main(argv: list[str]) -> int:
    cleaner, memory, cpu, max_pixels = Cleaner(argv[0]), int(argv[1]), int(argv[2]), int(argv[3])
    voice = VoiceMask.parsed(argv[4])
    confine(memory, cpu)
    data = sys.stdin.buffer.read()
    output = sys.stdout.buffer
    try:
        header = _clean(cleaner, data, max_pixels, voice, output)
    except Exception as exc:  # decoders raise anything on hostile input; MemoryError included
        header = {"outcome": FAILED, "error": type(exc).__name__}
    del data
    header["peak"] = peak_rss()
    trailer = json.dumps(header).encode()
    output.write(trailer + len(trailer).to_bytes(4, "big"))
    output.flush()
    return 0


def _clean(
    cleaner: Cleaner, data: bytes, max_pixels: int, voice: VoiceMask, output: IO[bytes]
) -> dict[str, Any]:
    if cleaner is Cleaner.IMAGE:
        return _image(data, max_pixels, output)
    if cleaner is Cleaner.AUDIO:
        return _audio(data, voice, output)
    if cleaner is Cleaner.VIDEO:
        return _video(data, voice, output)
    if cleaner is Cleaner.DOCUMENT:
        return _document(data, output)
    return {"outcome": KEPT}


def _image(data: bytes, max_pixels: int, output: IO[bytes]) -> dict[str, Any]:
    from bot.cleaning.images import Animated, TooLarge, clean_image

    try:
        clean_image(data, max_pixels, output)
    except TooLarge:
        return {"outcome": TOO_LARGE}
    except Animated:
        return {"outcome": KEPT}
    return {"outcome": CLEANED}


def _audio(data: bytes, voice: VoiceMask, output: IO[bytes]) -> dict[str, Any]:
    from bot.cleaning.voice import TooLong, Unmaskable, mask_voice

    try:
        output.write(mask_voice(data, voice))
    except TooLong:
        return {"outcome": TOO_LONG}
    except Unmaskable:
        return {"outcome": REFUSED}
    return {"outcome": CLEANED}


def _video(data: bytes, voice: VoiceMask, output: IO[bytes]) -> dict[str, Any]:
    """Stripped of its metadata, and its sound masked where it can be (``masked``); a sound that
    could not be is ``voice_kept``, for the officers' warning."""
    from bot.cleaning.video import strip_video_metadata

    clean = strip_video_metadata(data)
    if clean is None:  # kept as sent, without loading FFmpeg and Praat for a file refused anyway
        return {"outcome": KEPT}
    from bot.cleaning.video_voice import has_sound, masked_video

    masked = masked_video(data, voice)
    if masked is None:
        return {**_written(clean, output), "voice_kept": has_sound(data)}
    return {**_written(masked, output), "masked": True}


def _document(data: bytes, output: IO[bytes]) -> dict[str, Any]:
    from bot.cleaning.documents import DocumentRefused, clean_document, document_extension

    try:
        extension = document_extension(data)
        if extension is None:
            return {"outcome": KEPT}
        clean = clean_document(data)
    except DocumentRefused:
        return {"outcome": REFUSED}
    return {**_written(clean, output), "extension": extension}


def _written(clean: bytes | None, output: IO[bytes]) -> dict[str, Any]:
    if clean is None:
        return {"outcome": KEPT}
    output.write(clean)
    return {"outcome": CLEANED}


def peak_rss() -> int:
    """Bytes: this process's own peak resident memory (``getrusage`` would carry the parent's
    peak across ``exec``; see bench/memory.py)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
