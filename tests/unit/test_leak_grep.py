"""The leak grep's tries find exactly what a plain alternation of every secret finds."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tests.support.leaks import Grep

WHOLE_NUMBER = re.compile(rb"(?<![\d.a-f])\d{6,}(?![\da-f])")
AROUND = [b"", b"a", b"f", b".", b"1", b" ", "ж".encode(), "ж".encode()[:1]]


@st.composite
def files(draw: st.DrawFn) -> tuple[set[str], set[str], bytes]:
    """Ids and texts that often start one another, and bytes made of them, their starts, their
    extensions and what may stand around a number."""
    number = draw(st.from_regex(r"[12]{6,9}", fullmatch=True))
    ids = draw(st.sets(st.sampled_from([number[:end] for end in range(5, len(number) + 1)])))
    texts = draw(st.sets(st.text(alphabet="abж1", min_size=1, max_size=5), min_size=1, max_size=6))
    words = [word.encode() for word in ids | texts]
    pieces = AROUND + words + [word[:-1] for word in words] + [word + b"1" for word in words]
    return ids, texts, b"".join(draw(st.lists(st.sampled_from(pieces), max_size=20)))


@given(files())
def test_the_grep_finds_what_an_alternation_of_every_secret_finds(
    case: tuple[set[str], set[str], bytes],
) -> None:
    ids, texts, data = case
    alternation = re.compile(b"|".join(re.escape(text.encode()) for text in sorted(texts)))
    numbers = {value.encode() for value in ids}
    expected_ids = sorted({run for run in WHOLE_NUMBER.findall(data) if run in numbers})[:3]
    found_ids, found_text = Grep(ids, texts).search(data)
    assert found_ids == expected_ids
    assert (found_text is None) == (alternation.search(data) is None)
