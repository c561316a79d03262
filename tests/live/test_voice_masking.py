"""Officers hear only masked voices: a voice note and an audio file in a report reach the
department's chat as voice notes Telegram plays (OGG/Opus), at the target pitch, none of the
original's bytes in them, each with the note that the voice was changed."""

from __future__ import annotations

import pytest

from bot.cases.views import file_note
from bot.cleaning.voice_mask import VoiceMask
from bot.reports.evidence import FileKind
from tests.fakeapi import FakeBotAPI, is_voice_note
from tests.support.flows import report
from tests.support.leaks import Grep, recording_windows
from tests.support.live import Live
from tests.support.speech import HIGH, LOW, audio_file, decoded, median_pitch, spoken, streams_of

MIME_TYPES = {"mp3": "audio/mpeg", "m4a": "audio/mp4"}


async def officers_note(live: Live) -> str:
    """What Abai's officers read under a masked voice, in their department's language."""
    department = await live.services.departments.department("abai")
    assert department is not None
    with live.services.i18n.context(), live.services.i18n.use_locale(department.locale):
        note = file_note(FileKind.VOICE, cleaned=True, masked=True)
    assert note
    return note


@pytest.mark.parametrize(("language", "extension"), [("kk", "mp3"), ("ru", "m4a")])
async def test_voices_reach_the_department_masked_as_voice_notes(
    live: Live, fake_api: FakeBotAPI, language: str, extension: str
) -> None:
    group = fake_api.make_group(title="Abai officers")
    await live.link("abai", group)
    note, recording = spoken(language, LOW), audio_file(language, extension, HIGH)
    person = live.person(language)
    name = f"recording.{extension}"
    await report(person, "abai", voice=note, audio=(recording, name, MIME_TYPES[extension]))
    assert await live.deliver() == 0

    delivered = [message for message in fake_api.messages_in(group) if message.kind != "text"]
    assert [message.kind for message in delivered] == ["voice", "voice"]
    changed = await officers_note(live)
    target = VoiceMask().pitch_hz
    for message, original in zip(delivered, (note, recording), strict=True):
        data = fake_api.files[message.raw["voice"]["file_id"]].data
        assert is_voice_note(data) and streams_of(data) == ("ogg", [("opus", 1)])
        assert data != original
        assert Grep([], [], recording_windows(original)).search(data) == ([], None)
        assert changed in (message.plain_text or "")
        before, after = median_pitch(decoded(original)), median_pitch(decoded(data))
        assert abs(before - target) > 0.2 * target, "the reporter's voice was far from it"
        assert abs(after - target) <= 0.1 * target, f"{before:.0f} Hz became {after:.0f} Hz"
