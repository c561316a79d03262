"""Runs last: grep every file the suite left under its temporary directories (databases, WAL
files, keys, logs) for every id, name, typed text and receipt code any test produced."""

from __future__ import annotations

import re

import pytest

from tests.support import leaks
from tests.support.flows import report
from tests.support.live import Live

CITIZEN = {"id": "777000111", "names": ("Айгерим", "Секретова", "aigerim_secret")}
# A run of digits that is a whole number: not a fraction of a second, not the tail of a hex digest
# (a 64-character pseudonym holds digit runs that can equal a test user's id by chance).
_DIGITS = re.compile(rb"(?<![\d.a-f])\d{6,}(?![\da-f])")


async def test_this_run_itself_leaves_secrets_to_look_for(live: Live) -> None:
    """So the grep below has data even when this file runs alone."""
    person = live.person("kk", first_name="Жанар", last_name="Құпиялова", username="zhanar_q")
    receipt_text = await report(person, "abai", body="Директор мектебі ата-аналардан ақша жинайды")
    assert "-" in receipt_text


def test_no_secret_in_any_file_the_suite_left(tmp_path_factory: pytest.TempPathFactory) -> None:
    leaks.IDS.add(CITIZEN["id"])
    leaks.TEXTS.update(CITIZEN["names"])
    files = [path for path in tmp_path_factory.getbasetemp().rglob("*") if path.is_file()]
    assert any(path.name == "adal.sqlite3" for path in files)
    assert len(leaks.IDS) >= 1 and len(leaks.TEXTS) >= 4
    texts = re.compile(
        b"|".join(re.escape(text.encode("utf-8", "replace")) for text in sorted(leaks.TEXTS))
    )
    ids = {value.encode() for value in leaks.IDS}
    found = []
    for path in files:
        data = path.read_bytes()
        leaked_ids = {match for match in _DIGITS.findall(data) if match in ids}
        leaked_texts = texts.search(data)
        if leaked_ids or leaked_texts:
            found.append((str(path), sorted(leaked_ids)[:3], leaked_texts and leaked_texts[0][:40]))
    assert not found, found
