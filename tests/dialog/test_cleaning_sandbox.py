"""Hostile files through the real cleaning sandbox (``bot.cleaning.sandbox``,
``bot.cleaning.child``).

Each test sends the attack itself: a decompression bomb, a picture at the budget with the
costliest path through the cleaner, a video nested too deep, a zip bomb. It asserts what became
of the file (refused, reduced, kept as sent) and how much memory the child that read it used at
its peak (``VmHWM``, which the child reports about itself: a memory bound, not a timing).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import psutil
import pytest
from PIL import Image

from bot.app import Services
from bot.cleaning import sandbox as sandbox_module
from bot.cleaning.sandbox import Cleaned, CleaningSandbox, FileRefused, Refusal, SandboxLimits
from bot.ui.callbacks import AnswerCB
from handlers.uploads import refusal_text
from tests.support.dialog import BODY, reach_text_step, submit_report
from tests.support.harness import Citizen, texts
from tests.support.hostile import (
    AT_BUDGET,
    CMYK_SIZE,
    MB,
    cmyk_jpeg,
    docx_bomb,
    nested_video,
    png_with_icc,
    webp_bomb,
)
from tests.support.media import png_claiming, video_with_metadata

LIMITS = SandboxLimits()
HEADER_ONLY = 48 * MB
"""A child that refused a file from its header: the interpreter and Pillow, no pixel."""


async def refused(sandbox: CleaningSandbox, data: bytes) -> FileRefused:
    with pytest.raises(FileRefused) as raised:
        await sandbox.clean(data)
    return raised.value


def cleaning_children() -> int:
    """This process's cleaning children alive now (other tests may have children of their own)."""
    alive = 0
    for child in psutil.Process().children():
        with contextlib.suppress(psutil.NoSuchProcess):
            alive += "bot.cleaning.child" in child.cmdline()
    return alive


def peak_of(outcome: Cleaned | FileRefused) -> int:
    assert outcome.peak_rss is not None, "the child reported its peak"
    return outcome.peak_rss


async def test_a_lossless_webp_bomb_is_refused_from_its_header() -> None:
    bomb = webp_bomb()
    assert len(bomb) < 5000
    refusal = await refused(CleaningSandbox(), bomb)
    assert refusal.reason is Refusal.TOO_LARGE
    assert peak_of(refusal) < HEADER_ONLY, "refused before a pixel was decoded"


async def test_without_the_pixel_budget_the_memory_limit_still_stops_a_bomb() -> None:
    """The second line: a decoder over the child's address space fails inside the child."""
    unbudgeted = CleaningSandbox(replace(LIMITS, max_pixels=10**10))
    for bomb in (webp_bomb(), png_with_icc(8000, 8000)):
        refusal = await refused(unbudgeted, bomb)
        assert refusal.reason is Refusal.UNSAFE
        assert peak_of(refusal) < LIMITS.memory_bytes


async def test_a_big_png_with_an_icc_profile_is_cleaned_within_the_memory_limit() -> None:
    width, height = AT_BUDGET
    assert width * height <= LIMITS.max_pixels
    result = await CleaningSandbox().clean(png_with_icc(width, height))
    assert result.cleaned
    assert peak_of(result) < LIMITS.memory_bytes
    with Image.open(BytesIO(result.data)) as clean:
        assert clean.size == (height, width), "turned upright"
        assert "icc_profile" not in clean.info and len(clean.getexif()) == 0

    refusal = await refused(CleaningSandbox(), png_with_icc(8000, 8000))
    assert refusal.reason is Refusal.TOO_LARGE
    assert peak_of(refusal) < HEADER_ONLY


async def test_a_huge_cmyk_jpeg_is_decoded_reduced() -> None:
    width, height = CMYK_SIZE
    jpeg = cmyk_jpeg(width, height)
    assert width * height * 4 > LIMITS.memory_bytes
    result = await CleaningSandbox().clean(jpeg)
    assert result.cleaned
    with Image.open(BytesIO(result.data)) as clean:
        assert clean.size == (width // 4, height // 4), "decoded at a quarter of its size"
    assert peak_of(result) < width * height * 4 // 4


@pytest.mark.parametrize("size", [(65_535, 65_535), (20_000, 20_000), (4001, 4000)])
async def test_a_png_declaring_a_huge_size_is_refused_from_its_header(
    size: tuple[int, int],
) -> None:
    refusal = await refused(CleaningSandbox(), png_claiming(*size))
    assert refusal.reason is Refusal.TOO_LARGE
    assert peak_of(refusal) < HEADER_ONLY


async def test_a_deeply_nested_video_is_kept_as_sent_not_lost() -> None:
    hostile = nested_video()
    result = await CleaningSandbox().clean(hostile)
    assert (result.data, result.cleaned) == (hostile, False)
    assert peak_of(result) < HEADER_ONLY


async def test_a_zip_bomb_is_never_labelled_cleaned_and_stays_within_the_memory_limit() -> None:
    bomb = docx_bomb()
    assert len(bomb) < 2 * MB
    refusal = await refused(CleaningSandbox(), bomb)
    assert refusal.reason is Refusal.UNSAFE
    assert peak_of(refusal) < LIMITS.memory_bytes


async def test_a_child_out_of_time_is_killed_and_only_a_video_is_kept() -> None:
    hasty = CleaningSandbox(replace(LIMITS, timeout_seconds=0.001, sound_timeout_seconds=0.001))
    video = video_with_metadata()
    result = await hasty.clean(video)
    assert (result.data, result.cleaned) == (video, False), "a video is never lost"
    picture = png_with_icc(64, 32)
    for data in (picture, b"%PDF-1.4\n%%EOF\n"):
        assert (await refused(hasty, data)).reason is Refusal.UNSAFE
    assert cleaning_children() == 0, "the children were killed and reaped"


async def test_a_child_that_cannot_start_keeps_only_a_video(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox_module.sys, "executable", "/nonexistent/python")
    video = video_with_metadata()
    result = await CleaningSandbox().clean(video)
    assert (result.data, result.cleaned) == (video, False)
    assert (await refused(CleaningSandbox(), png_with_icc(64, 32))).reason is Refusal.UNSAFE


async def test_files_are_cleaned_one_at_a_time() -> None:
    sandbox = CleaningSandbox()
    picture = png_with_icc(2000, 1500)
    seen: list[int] = []
    cleaning = asyncio.gather(*(sandbox.clean(picture) for _ in range(4)))
    while not cleaning.done():
        seen.append(cleaning_children())
        await asyncio.sleep(0.005)
    assert all(result.cleaned for result in await cleaning)
    assert max(seen) == LIMITS.slots


def test_the_child_gets_neither_the_token_nor_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:SECRET")
    monkeypatch.setenv("ENCRYPTION_KEYS", "c2VjcmV0")
    environment = sandbox_module._child_environment()
    assert not {"BOT_TOKEN", "ENCRYPTION_KEYS"} & set(environment)
    assert "123:SECRET" not in environment.values()


# ---------------------------------------------------------------- the reporter is told


def refusals(services: Services, locale: str) -> tuple[str, str]:
    with services.i18n.context(), services.i18n.use_locale(locale):
        minutes = services.settings.max_voice_minutes
        return (
            refusal_text(Refusal.TOO_LARGE, minutes, locale),
            refusal_text(Refusal.UNSAFE, minutes, locale),
        )


async def rows(services: Services, table: str) -> int:
    [(count,)] = await services.database.fetchall(f"SELECT COUNT(*) FROM {table}")
    return int(count)


@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_a_refused_file_is_explained_in_the_reporters_language_and_not_stored(
    citizen_factory: Callable[..., Citizen], services: Services, language: str
) -> None:
    citizen = citizen_factory(language_code=language)
    await reach_text_step(citizen)
    await citizen.say(BODY)
    await citizen.press("do:done")
    too_large, unsafe = refusals(services, language)

    assert texts(await citizen.document(webp_bomb(), "bomb.webp")) == [too_large]
    assert texts(await citizen.document(b"\xff\xd8\xff\xe0broken", "scan.jpg")) == [unsafe]
    assert await rows(services, "attachments") == 0


async def test_a_refused_addition_through_status_is_explained_and_not_stored(
    citizen: Citizen, services: Services
) -> None:
    code = await submit_report(citizen)
    before = await rows(services, "attachments")
    events = await rows(services, "report_events")
    await citizen.say(f"/status {code}")
    await citizen.press("do:addinfo")
    too_large, _unsafe = refusals(services, "ru")

    assert texts(await citizen.document(png_claiming(20_000, 20_000), "big.png")) == [too_large]
    assert await rows(services, "attachments") == before
    assert await rows(services, "report_events") == events, "no addition recorded"


async def test_a_refused_answer_to_a_question_is_explained_and_not_stored(
    citizen: Citizen, services: Services
) -> None:
    code = await submit_report(citizen)
    [(report_id,)] = await services.database.fetchall("SELECT id FROM reports")
    body = services.cipher.seal_text("Пришлите скан акта", "questions:q1:body")
    await services.database.execute(
        "INSERT INTO questions (id, report_id, body, asked_at) VALUES ('q1', ?, ?, '2026-12-01')",
        (report_id, body),
    )
    before = await rows(services, "attachments")
    await citizen.say(f"/status {code}")
    await citizen.press(AnswerCB(question="q1").pack())
    too_large, _unsafe = refusals(services, "ru")

    assert texts(await citizen.document(webp_bomb(), "akt.webp")) == [too_large]
    assert await rows(services, "attachments") == before
    [(answered,)] = await services.database.fetchall("SELECT answered_at FROM questions")
    assert answered is None, "the question still waits for its answer"


def test_a_confined_child_cannot_write_a_file(tmp_path: Path) -> None:
    """A decoder an exploit took over cannot leave a file behind (a payload, a copy of the
    database): every write to a regular file fails."""
    target = tmp_path / "dropped"
    program = (
        "from bot.cleaning.child import confine; confine(1 << 30, 10); "
        f"file = open({str(target)!r}, 'wb', buffering=0); file.write(b'payload')"
    )
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "-c", program], capture_output=True, check=False, timeout=60
    )
    assert finished.returncode == 1
    assert b"File too large" in finished.stderr
    assert target.read_bytes() == b"", "nothing was written"
