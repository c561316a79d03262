"""Hostile recordings through the real cleaning sandbox: a voice note cut inside an Ogg page, ten
hours of silence in 64 KB, a picture or noise sent as a voice. Each is refused for what it is,
by a child that answered within its budget (not one killed at its time limit), and the
reporter's dialog goes on."""

from __future__ import annotations

import io
import random
import time
from collections.abc import Callable

import av
import pytest
from PIL import Image

from bot.app import Services
from bot.cleaning.sandbox import CleaningSandbox, FileRefused, Refusal, SandboxLimits
from handlers.uploads import refusal_text
from tests.fakeapi import is_voice_note
from tests.support.dialog import BODY, reach_text_step, receipt_code
from tests.support.harness import Citizen, texts
from tests.support.hostile_audio import (
    FLAC_BLOCK,
    FLAC_RATE,
    TEN_HOURS,
    cut_inside_a_page,
    silent_flac,
)
from tests.support.media import encoded
from tests.support.speech import decoded, spoken

LIMITS = SandboxLimits()


def truncated_voice() -> bytes:
    return cut_inside_a_page(spoken("ru"))


def jpeg() -> bytes:
    return encoded(Image.new("RGB", (64, 48), "red"), "JPEG")


def noise() -> bytes:
    return random.Random(17).randbytes(4096)


HOSTILE: dict[str, tuple[Callable[[], bytes], Refusal]] = {
    "truncated-ogg-page": (truncated_voice, Refusal.UNMASKABLE),
    "ten-hours-of-silence": (silent_flac, Refusal.TOO_LONG),
    "jpeg-as-voice": (jpeg, Refusal.UNMASKABLE),
    "noise-as-voice": (noise, Refusal.UNMASKABLE),
}


def test_the_truncated_note_is_a_voice_note_ffmpeg_would_play_in_part() -> None:
    """What makes it hostile: FFmpeg stops quietly at the cut and decodes what came before."""
    note, cut = spoken("ru"), truncated_voice()
    assert note.startswith(cut) and len(cut) < len(note)
    assert is_voice_note(cut)
    assert 0 < len(decoded(cut)) < len(decoded(note))


def test_the_silence_bomb_is_kilobytes_that_decode_to_ten_hours() -> None:
    bomb = silent_flac()
    assert len(bomb) < 100 * 1024
    with av.open(io.BytesIO(bomb)) as container:
        stream = container.streams.audio[0]
        assert stream.duration is None and container.duration is None, "no length declared"
        frames = samples = 0
        for frame in container.decode(stream):
            frames += 1
            samples += frame.samples
    assert frames == -(-TEN_HOURS * FLAC_RATE // FLAC_BLOCK)
    assert samples == TEN_HOURS * FLAC_RATE


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_hostile_audio_is_refused_within_its_budget(name: str) -> None:
    make, reason = HOSTILE[name]
    started = time.monotonic()
    with pytest.raises(FileRefused) as refused:
        await CleaningSandbox().clean(make(), recording=True)
    elapsed = time.monotonic() - started
    assert refused.value.reason is reason
    assert refused.value.peak_rss is not None, "the child answered; it was not killed"
    assert refused.value.peak_rss < LIMITS.sound_memory_bytes
    assert elapsed < LIMITS.sound_timeout_seconds


async def rows(services: Services, table: str) -> int:
    [(count,)] = await services.database.fetchall(f"SELECT COUNT(*) FROM {table}")
    return int(count)


async def test_after_hostile_voices_the_report_is_still_made_and_sent(
    citizen_factory: Callable[..., Citizen], services: Services
) -> None:
    citizen = citizen_factory(language_code="kk")
    await reach_text_step(citizen)
    await citizen.say(BODY)
    await citizen.press("do:done")
    for name in sorted(HOSTILE):
        make, reason = HOSTILE[name]
        with services.i18n.context(), services.i18n.use_locale("kk"):
            expected = refusal_text(reason, services.settings.max_voice_minutes, "kk")
        assert texts(await citizen.voice(make())) == [expected], name
        assert await rows(services, "attachments") == 0, name

    await citizen.voice(spoken("kk"))
    [(kind,)] = await services.database.fetchall("SELECT kind FROM attachments")
    assert kind == "voice"
    await citizen.press("do:done")
    await citizen.press("do:cno")
    assert receipt_code(await citizen.press("do:submit"))
    assert await rows(services, "reports") == 1
