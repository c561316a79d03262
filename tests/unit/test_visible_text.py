"""``visible_text``: what hides or reorders text goes, whichever way it is found."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.sanitize import visible_text

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


@given(TEXT)
def test_no_control_or_format_character_is_left(text: str) -> None:
    shown = visible_text(text)
    for index, char in enumerate(shown):
        category = unicodedata.category(char)
        assert category != "Cc" or char in "\n\t"
        assert category != "Cf" or char == "\u200d", (text, index)


@given(TEXT)
def test_printable_text_comes_back_as_it_was(text: str) -> None:
    printable = "".join(c for c in text if c.isprintable() or c in "\n\t")
    assert visible_text(printable) == printable


def test_an_override_inside_a_word_goes() -> None:
    assert visible_text("Akt_proverki\u202efdp.exe\u200b\r\n") == "Akt_proverkifdp.exe\n"
