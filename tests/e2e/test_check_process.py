"""``python -m bot check`` as a process: a sound installation passes with a report; each problem
is one clear line and a non-zero exit."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.e2e.botprocess import check
from tests.fakeapi import FakeBotAPI
from tests.support.flows import report
from tests.support.live import ADMIN_ID, live_bot

OTHER_KEY = base64.b64encode(bytes(range(50, 82))).decode()


async def installed(api: FakeBotAPI, workdir: Path) -> Path:
    """A database in use: Astana linked with an officer on its roster, a report with a photo;
    its path."""
    async for live in live_bot(api, workdir):
        await live.link("astana", api.make_group(title="Astana"))
        await live.officer("astana")
        await report(live.person(), "astana", photo=b"\xff\xd8" + os.urandom(200_000))
    return live.services.settings.database_path


async def test_a_sound_installation_passes(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    await installed(fake_api, tmp_path)
    code, lines = await check(fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID))
    assert code == 0, lines
    assert lines[-1] == "check: 0 problem(s), 1 warning(s)"
    assert any(line.startswith("ok") and "integrity" in line for line in lines)
    assert any(line.startswith("ok") and f"@{fake_api.bot_username}" in line for line in lines)
    unlinked = next(line for line in lines if "without a linked chat" in line)
    assert unlinked.startswith("warning") and "abai" in unlinked and "astana" not in unlinked


async def test_wrong_key_rejected_token_and_no_admin_are_each_a_problem(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    await installed(fake_api, tmp_path)
    fake_api.fail_next("getMe", 401)
    code, lines = await check(
        fake_api, tmp_path, ENCRYPTION_KEYS=OTHER_KEY, ADMIN_IDS="", FALLBACK_CHAT_ID=""
    )
    assert code == 1
    problems = [line for line in lines if line.startswith("PROBLEM")]
    assert len(problems) == 3, lines
    assert "ENCRYPTION_KEYS does not match this database" in problems[0]
    assert "BOT_TOKEN is invalid" in problems[1]
    assert "ADMIN_IDS and FALLBACK_CHAT_ID are both empty" in problems[2]
    assert lines[-1] == "check: 3 problem(s), 0 warning(s)"


async def test_a_damaged_database_file_fails(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    path = await installed(fake_api, tmp_path)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.seek(size // 2)
        file.write(b"\x00garbage\xff" * 800)
    code, lines = await check(fake_api, tmp_path, ADMIN_IDS=str(ADMIN_ID))
    assert code == 1, lines
    problems = [line for line in lines if line.startswith("PROBLEM")]
    # Where the garbage lands decides which: a damaged schema page stops the opening itself.
    damage = ("integrity check", "disk image is malformed")
    assert len(problems) == 1 and any(words in problems[0] for words in damage), lines
    assert lines[-1] == "check: 1 problem(s), 0 warning(s)"


async def test_a_key_file_others_can_read_is_a_warning(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    await installed(fake_api, tmp_path)
    key_file = tmp_path / "secrets" / "adal.key"
    key_file.parent.mkdir()
    key_file.write_text(TEST_KEY + "\n")
    settings = {"ENCRYPTION_KEYS": "", "KEY_FILE": str(key_file), "ADMIN_IDS": str(ADMIN_ID)}
    for mode, warned in ((0o644, True), (0o640, True), (0o600, False)):
        key_file.chmod(mode)
        code, lines = await check(fake_api, tmp_path, **settings)
        assert code == 0, lines
        warnings = [line for line in lines if line.startswith("warning") and "KEY_FILE" in line]
        assert bool(warnings) is warned, (oct(mode), lines)
        if warned:
            assert f"{mode:04o}" in warnings[0] and "chmod 600" in warnings[0]
