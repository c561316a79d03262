"""The leak grep's tries find exactly what a plain alternation of every secret finds, and runs of
bytes of a recording a test user sent wherever they are."""

from __future__ import annotations

import random
import re

from aiogram import Bot
from aiogram.types import BufferedInputFile
from hypothesis import given
from hypothesis import strategies as st

from bot.cleaning.voice import mask_voice
from bot.cleaning.voice_mask import VoiceMask
from tests.fakeapi import FakeBotAPI
from tests.support.leaks import WINDOW, WINDOWS, Grep, recording_windows, sent_recordings
from tests.support.speech import HIGH, audio_file, spoken

WHOLE_NUMBER = re.compile(rb"(?<![\d.a-f])\d{6,}(?![\da-f])")
AROUND = [b"", b"a", b"f", b".", b"1", b" ", "ж".encode(), "ж".encode()[:1]]


@st.composite
def files(draw: st.DrawFn) -> tuple[set[str], set[str], set[bytes], bytes]:
    """Ids, texts and raw runs of bytes that often start one another, and bytes made of them,
    their starts, their extensions and what may stand around a number."""
    number = draw(st.from_regex(r"[12]{6,9}", fullmatch=True))
    ids = draw(st.sets(st.sampled_from([number[:end] for end in range(5, len(number) + 1)])))
    texts = draw(st.sets(st.text(alphabet="abж1", min_size=1, max_size=5), min_size=1, max_size=6))
    runs = st.one_of(st.binary(min_size=1, max_size=4), st.binary(max_size=4).map(b"a".__add__))
    raw = draw(st.sets(runs, max_size=4))
    words = [word.encode() for word in ids | texts] + sorted(raw)
    pieces = AROUND + words + [word[:-1] for word in words] + [word + b"1" for word in words]
    return ids, texts, raw, b"".join(draw(st.lists(st.sampled_from(pieces), max_size=20)))


@given(files())
def test_the_grep_finds_what_an_alternation_of_every_secret_finds(
    case: tuple[set[str], set[str], set[bytes], bytes],
) -> None:
    ids, texts, raw, data = case
    secrets = sorted({text.encode() for text in texts} | raw)
    alternation = re.compile(b"|".join(re.escape(secret) for secret in secrets))
    numbers = {value.encode() for value in ids}
    expected_ids = sorted({run for run in WHOLE_NUMBER.findall(data) if run in numbers})[:3]
    found_ids, found_text = Grep(ids, texts, raw).search(data)
    assert found_ids == expected_ids
    assert (found_text is None) == (alternation.search(data) is None)


def test_a_run_of_an_original_recording_is_found_in_any_file_and_its_masked_copy_is_not() -> None:
    original = spoken("ru", HIGH)
    windows = recording_windows(original)
    assert len(windows) == WINDOWS and all(len(window) == WINDOW for window in windows)
    grep = Grep([], [], windows)
    noise = random.Random(5).randbytes(5000)
    for window in windows:
        assert grep.search(noise + window + noise) == ([], window)
        assert grep.search(noise + window[1:] + noise) == ([], None)
    assert grep.search(original)[1] is not None
    assert grep.search(mask_voice(original, VoiceMask())) == ([], None)
    assert recording_windows(bytes(4000)) == [], "silence matches too much to be looked for"


async def test_the_recordings_users_sent_are_gathered_and_the_bots_uploads_are_not(
    fake_api: FakeBotAPI, fake_bot: Bot
) -> None:
    user = fake_api.make_user()
    voice, music = spoken("kk"), audio_file("kk", "mp3")
    document = audio_file("ru", "m4a")
    fake_api.send_voice(user, voice)
    fake_api.send_audio(user, music)
    fake_api.send_document(user, document, "interview.m4a", "audio/mp4")
    fake_api.send_document(user, b"%PDF-1.4\n%%EOF\n", "scan.pdf")
    fake_api.send_video(user, b"mp4")
    await fake_bot.send_voice(user.id, BufferedInputFile(spoken("ru"), "masked.ogg"))
    assert list(sent_recordings(fake_api)) == [voice, music, document]
