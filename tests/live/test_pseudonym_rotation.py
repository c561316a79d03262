"""``rotate-pseudonyms``: after a leak of the pseudonym key, the old key computes no pseudonym in
the database, and receipt codes, subscriptions and departments' chats keep working."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.app import build_services
from bot.broadcasts.content import Content, Version
from bot.broadcasts.service import Request
from bot.core import receipt
from bot.ops.pseudonym_rotation import run_pseudonym_rotation
from bot.security.crypto import Pseudonyms
from bot.settings import ConfigError, Settings, load_settings
from storage.broadcasts import BroadcastStatus
from storage.pseudonym_rotation import PseudonymRotationRepository
from storage.subscribers import Audience
from tests.conftest import TEST_KEY
from tests.fakeapi import FakeBotAPI
from tests.support.broadcasting import wait_status
from tests.support.flows import BODY, cards, case_id_of, data, press_in, report, submit_reports
from tests.support.linking import HASH_COLUMNS, every_blob, lookup_keys, pseudonyms_of
from tests.support.live import ADMIN_ID, live_bot

# The attacker reads the SQLite file (tests/support/linking.py).
pytestmark = pytest.mark.sqlite_only


def settings_of(workdir: Path) -> Settings:
    return load_settings(
        bot_token="42:TEST",
        data_dir=workdir / "data",
        encryption_keys=TEST_KEY,
        admin_ids=str(ADMIN_ID),
        _env_file=None,
    )


def code_in(text: str) -> str:
    return next(code for line in text.splitlines() if (code := receipt.parse(line)))


def database_bytes(settings: Settings) -> bytes:
    return b"".join(path.read_bytes() for path in settings.database_path.parent.iterdir())


async def test_after_a_pseudonym_rotation_the_old_key_finds_nobody_and_the_bot_still_works(
    fake_api: FakeBotAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group = fake_api.make_group(title="Astana officers")
    private_officer = fake_api.make_user(language_code="ru")
    async for live in live_bot(fake_api, tmp_path):
        await live.link("astana", group)
        await live.link("abai", private_officer)
        reporter = live.person()
        await reporter.command("/start", button="do:new")  # a news subscriber too
        await reporter.command("/language", button="lang:kk")
        await reporter.press("lang:kk", button="do:new")
        code = code_in(await report(reporter, "astana", contact=True))
        quiet = live.person()
        quiet_code = code_in(await report(quiet, "abai", photo=b"\xff\xd8a photo"))
        assert await live.deliver() == 0
        officer = await live.officer("astana")  # on the roster: recognised after the rotation
        first_case = case_id_of(cards(fake_api, group)[0])
        await press_in(fake_api, officer, group, data("acc", first_case))
        await report(live.person(), "astana", body=f"{BODY} OWED-BEFORE")
        assert await live.services.digests.queue() == 1, "owed to the group, not yet sent"
        await quiet.command("/status")
        await quiet.say("AAAA-BBBB-CCCC-DDDD")  # a wrong-code counter
        drafter = live.person()
        await drafter.command("/report", button="rg:abai")
        await drafter.press("rg:abai", button="sp:akimat")
        await live.services.departments.invite("abai")
        await live.services.broadcasts.create(
            Request(
                Content({"ru": Version("NEWS-AFTER"), "kk": Version("NEWS-AFTER")}),
                Audience(),
                ADMIN_ID,
                ADMIN_ID,
                "ru",
                at=time.time() + 86400,
            )
        )
    settings = settings_of(tmp_path)
    [old_key] = lookup_keys(settings.database_path, [TEST_KEY])
    people = [reporter.user, quiet.user, drafter.user, officer, private_officer, live.admin]
    ids = [*(person.id for person in people), group.id]
    old_pseudonyms = {digest for i in ids for digest in pseudonyms_of(Pseudonyms(old_key), i)}
    assert old_pseudonyms & every_blob(settings.database_path), "the test has something to move"

    capsys.readouterr()
    assert await run_pseudonym_rotation(settings) == 0
    printed = capsys.readouterr().out
    for line in (
        "A new pseudonym key is made",
        "department_chats.chat_key, chat_ref: 2 rows under the new key",
        "subscribers.chat_key, chat_ref: 1 rows under the new key",
        "user_prefs: 1 rows dropped",
        "attempts: 1 rows dropped",
        "invites: 3 rows dropped",
        "officers.user_key, added_by, removed_by: 1 rows under the new key",
        "attachments.file_key: 1 forgotten",
        "Done: the new pseudonym key is in use; 1 earlier keys are kept",
    ):
        assert line in printed, line

    assert not old_pseudonyms & every_blob(settings.database_path)
    raw = database_bytes(settings)
    assert not [digest for digest in old_pseudonyms if digest in raw], "nor in any file"

    async for live in live_bot(fake_api, tmp_path):
        for person, receipt_code in ((reporter, code), (quiet, quiet_code)):
            await person.command(f"/status {receipt_code}", expect="№")
        rehashed = await live.services.database.fetchone(
            "SELECT count(*) FROM reports WHERE receipt_hash = ?",
            (live.services.reports.receipt_hash(code),),
        )
        assert rehashed[0] == 1, "a code found under the old key is hashed under the new one"

        await report(live.person(), "abai", body=f"{BODY} AFTER-ROTATION")
        assert await live.deliver() == 0
        assert any("OWED-BEFORE" in (m.plain_text or "") for m in cards(fake_api, group))
        after = [m.plain_text or "" for m in fake_api.messages_in(private_officer)]
        assert any("AFTER-ROTATION" in text for text in after), "an officer's private chat too"
        await press_in(fake_api, officer, group, data("cls", first_case))

        await live.services.database.execute("UPDATE broadcasts SET scheduled_at = 0")
        live.services.broadcasts_changed.set()
        await wait_status(live, 1, BroadcastStatus.DONE)
        news = [m for m in fake_api.messages_in(reporter.user) if m.plain_text == "NEWS-AFTER"]
        assert len(news) == 1, "the subscription still delivers"


async def test_a_pseudonym_rotation_that_dies_is_completed_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_of(tmp_path)
    codes = await submit_reports(settings, 3)

    async def dying(self: PseudonymRotationRepository) -> dict[str, int]:
        raise RuntimeError("killed")

    monkeypatch.setattr(PseudonymRotationRepository, "drop_unrecomputable", dying)
    with pytest.raises(RuntimeError, match="killed"):
        await run_pseudonym_rotation(settings)
    monkeypatch.undo()
    with pytest.raises(ConfigError, match="rotate-pseudonyms"):
        await build_services(settings)

    capsys.readouterr()
    assert await run_pseudonym_rotation(settings) == 0
    assert "Continuing the unfinished pseudonym rotation" in capsys.readouterr().out
    services = await build_services(settings)
    try:
        for code in codes:
            assert await services.reports.lookup(code) is not None
    finally:
        await services.close()


# How rotate-pseudonyms treats each keyed-hash column: a new one must be placed here.
PSEUDONYM_COLUMNS = {
    "department_chats.chat_key": "recomputed from the sealed chat id",
    "outbox.chat_key": "recomputed from the sealed chat id; a reporter's is random",
    "subscribers.chat_key": "recomputed from the sealed chat id",
    "audit.actor": "re-keyed (admins recomputed from ADMIN_IDS)",
    "broadcasts.author": "re-keyed (admins recomputed from ADMIN_IDS)",
    "fsm.key": "dropped",
    "user_prefs.user_key": "dropped",
    "attempts.user_key": "dropped",
    "invites.code_hash": "dropped",
    "officer_invites.code_hash": "dropped",
    "officer_invites.invited_by": "dropped",
    "officers.user_key": "recomputed from the sealed identity",
    "officers.added_by": "re-keyed (admins and officers recomputed)",
    "officers.removed_by": "re-keyed (admins and officers recomputed)",
    "attachments.file_key": "forgotten (Telegram's file id is not kept)",
    "reports.submission_key": "made random",
    "reports.receipt_hash": "kept: the old key stays for it alone",
}


def test_every_keyed_hash_column_is_moved_dropped_or_kept() -> None:
    assert set(PSEUDONYM_COLUMNS) == HASH_COLUMNS
