"""Kazakh and Russian parity: every message in the code is translated in both catalogs, keeping
its placeholders and tags; Kazakh frames that dates and names can stand in; no word in two scripts;
nothing left in English."""

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


def translations(locale: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) for every translated string of a catalog, each plural form on its own."""
    found = []
    for message in catalog(locale):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [(source, target) for target in targets if target]
    return found


# Kazakh frames. Dates, times, language and region names arrive already written (Babel's «2026 ж.
# 8 наурыз, 11:05», «🇷🇺 Русский») and cannot take a case ending, so they stand as a value after a
# label: right after a colon or an opening bracket (spaces and tags between do not count), after
# the separator «·», or at the start of a line; and nothing is glued onto them (a letter, or a
# hyphen and a letter).
FRAMED = re.compile(r"\{(?:date|time|when|end|start|due|created|expires|language|region|regions)\}")
_BEFORE_FILLER = re.compile(r"(?:[ \t\u00a0]|<[^>]*>)*\Z")
_GLUED = re.compile(r"-?[^\W\d_]")


def frame_breaks(text: str) -> list[str]:
    """The date, language and region placeholders of a Kazakh string that are not label values."""
    broken = []
    for found in FRAMED.finditer(text):
        before = _BEFORE_FILLER.sub("", text[: found.start()])
        labelled = not before or before[-1] in ":(·\n"
        if not labelled or _GLUED.match(text, found.end()):
            broken.append(found.group())
    return broken


def test_kazakh_dates_languages_and_regions_stand_as_label_values() -> None:
    broken = {msgid for msgid, text in translations("kk") if frame_breaks(text)}
    assert not broken, "\n".join(sorted(broken))


@pytest.mark.parametrize(
    ("text", "broken"),
    [
        ("Мерзімі: {date}", []),
        ("<b>Мерзімі:</b> {date}", []),
        ("Чат тілі (тілі: {language})", []),
        ("№ 5 · {created}", []),
        ("{date}\nЖаңа хабарламалар: {count}", []),
        ("Кезең:\n<b>{start}</b>", []),
        ("Хабарлама {date} дейін", ["{date}"]),
        ("Ертең, {time}", ["{time}"]),
        ("Мерзімі: {date}-ге дейін", ["{date}"]),
        ("Өңір: {region}ның жаңалықтары", ["{region}"]),
        ("Сіз {region} жаңалықтарын аласыз", ["{region}"]),
        ("Саны {count} болды", []),
    ],
)
def test_the_frame_rule_tells_labels_from_case_endings(text: str, broken: list[str]) -> None:
    assert frame_breaks(text) == broken


# A word (a run of letters) written in two scripts: a Latin «a», «e», «o», «p», «c», «y», «x», «i»
# typed into a Cyrillic word, or the other way round, looks right and reads wrong to search and
# to screen readers.
WORD = re.compile(r"[^\W\d_]+")
CYRILLIC = re.compile(r"[\u0400-\u052f]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def mixed_words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if CYRILLIC.search(w) and LATIN.search(w)]


@pytest.mark.parametrize("locale", LOCALES)
def test_no_word_mixes_latin_and_cyrillic_letters(locale: str) -> None:
    problems = [
        f"{msgid!r}: {mixed_words(text)}"
        for msgid, text in translations(locale)
        if mixed_words(text)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "mixed"),
    [
        ("Хабарлама жіберілді", []),
        ("PDF-ті және Mini App-ты", []),
        ("Хабарлама жiберiлдi", ["жiберiлдi"]),  # Latin i for Kazakh і
        ("Сообщение отправл\u0065но", ["отправл\u0065но"]),  # Latin e
        ("Откройте Теlegram", ["Теlegram"]),  # Cyrillic Т, е in a Latin name
    ],
)
def test_mixed_words_are_found(text: str, mixed: list[str]) -> None:
    assert mixed_words(text) == mixed


# A translation equal to its English msgid is left untranslated, unless nothing in it is English
# words: once placeholders, tags, links, /commands, numbers, codes in capitals (PDF, 102) and the
# names below are taken out, no letter may remain.
BRANDS = ("Telegram",)  # the app's own name, written the same in Kazakh and Russian
# msgids allowed to stay as in English although a word remains, with the reason: none so far.
SAME_AS_ENGLISH_ALLOWED: dict[str, str] = {}
NOT_WORDS = re.compile(
    r"\{[a-z_]+\}|<[^>]+>|https?://\S+|(?<!\w)/[a-z_]+|\b[A-Z0-9]{2,}\b|"
    + "|".join(re.escape(brand) for brand in BRANDS)
)


def left_in_english(msgid: str, text: str) -> bool:
    return text == msgid and re.search(r"[^\W\d_]", NOT_WORDS.sub("", text)) is not None


@pytest.mark.parametrize("locale", LOCALES)
def test_nothing_is_left_in_english(locale: str) -> None:
    left = {
        msgid
        for msgid, text in translations(locale)
        if left_in_english(msgid, text) and msgid not in SAME_AS_ENGLISH_ALLOWED
    }
    assert not left, "\n".join(sorted(left))


@pytest.mark.parametrize(
    ("msgid", "text", "left"),
    [
        ("👁 Telegram", "👁 Telegram", False),
        ("{count}", "{count}", False),
        ("<b>102</b> · /status", "<b>102</b> · /status", False),
        ("https://example.org/ · PDF", "https://example.org/ · PDF", False),
        ("Done", "Done", True),
        ("Open Telegram", "Open Telegram", True),
        ("✅ Done", "✅ Дайын", False),
    ],
)
def test_english_left_in_a_translation_is_found(msgid: str, text: str, left: bool) -> None:
    assert left_in_english(msgid, text) is left
