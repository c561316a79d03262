"""After every other test (marked ``last``): grep every file the suite left under its temporary
directories (databases, WAL files, keys, logs) for every id, name, typed text and receipt code any
test produced, and for runs of bytes of every recording a test user sent (only masked copies
may be kept)."""

from __future__ import annotations

import pytest

from tests.support import backends, leaks
from tests.support.flows import report
from tests.support.live import Live
from tests.support.speech import spoken

CITIZEN = {"id": "777000111", "names": ("Айгерим", "Секретова", "aigerim_secret")}


async def test_this_run_itself_leaves_secrets_to_look_for(live: Live) -> None:
    """So the grep below has data even when this file runs alone."""
    person = live.person("kk", first_name="Жанар", last_name="Құпиялова", username="zhanar_q")
    receipt_text = await report(
        person, "abai", body="Директор мектебі ата-аналардан ақша жинайды", voice=spoken("kk")
    )
    assert "-" in receipt_text


@pytest.mark.last
def test_no_secret_in_any_file_the_suite_left(tmp_path_factory: pytest.TempPathFactory) -> None:
    leaks.IDS.add(CITIZEN["id"])
    leaks.TEXTS.update(CITIZEN["names"])
    files = [path for path in tmp_path_factory.getbasetemp().rglob("*") if path.is_file()]
    assert any(path.name == "adal.sqlite3" for path in files)
    if backends.database_server() is not None:  # the PostgreSQL pass ran: its dumps are here
        names = {path.name for path in files}
        assert {backends.DUMP_NAME, backends.REDIS_DUMP_NAME} <= names
    assert len(leaks.IDS) >= 1 and len(leaks.TEXTS) >= 4 and len(leaks.RECORDINGS) >= 4
    grep = leaks.Grep(leaks.IDS, leaks.TEXTS, leaks.RECORDINGS)
    found = [(str(path), *held) for path in files if any(held := grep.search(path.read_bytes()))]
    assert not found, found
