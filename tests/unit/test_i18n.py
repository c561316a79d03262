"""Kazakh and Russian parity: every message in the code is translated in both catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.ui.formatting import format_moment, format_number

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("kk", "ru")
KEYWORDS = {"_": None, "__": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def code_messages() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _, _, message, _, _ in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(locale: str):
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def test_messages_are_found_in_the_code() -> None:
    assert len(code_messages()) > 50


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    entries = {
        message.id if isinstance(message.id, str) else message.id[0]: message
        for message in catalog(locale)
        if message.id
    }
    problems = []
    for msgid in sorted(code_messages()):
        entry = entries.get(msgid)
        strings = (
            entry.string
            if entry and isinstance(entry.string, tuple)
            else ((entry.string,) if entry else ())
        )
        if entry is None:
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {msgid!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_placeholders_and_tags(locale: str) -> None:
    problems = []
    for message in catalog(locale):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        for target in targets:
            if set(PLACEHOLDER.findall(target)) != set(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders differ: {source!r} -> {target!r}")
            if TAG.findall(target) != TAG.findall(source):
                problems.append(f"tags differ: {source!r} -> {target!r}")
    assert not problems, "\n".join(problems)


def test_catalogs_translate_the_same_messages() -> None:
    ids = [
        {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(lc) if m.id} for lc in LOCALES
    ]
    assert ids[0] == ids[1]


def test_dates_and_numbers_follow_the_locale() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 3, 8, 6, 5, tzinfo=UTC)
    zone = ZoneInfo("Asia/Almaty")
    assert "наурыз" in format_moment(moment, zone, "kk")
    assert "марта" in format_moment(moment, zone, "ru")
    assert "11:05" in format_moment(moment, zone, "ru")
    assert format_number(8000, "ru") == "8\xa0000"
