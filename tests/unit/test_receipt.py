from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from bot.core import receipt


def test_shape_and_entropy() -> None:
    code = receipt.generate()
    assert len(code) == 16
    assert set(code) <= set(receipt.ALPHABET)
    assert len(set(receipt.ALPHABET)) == 32
    assert receipt.LENGTH * math.log2(len(receipt.ALPHABET)) >= 80
    assert not set("01IO") & set(receipt.ALPHABET), "no look-alike characters"
    formatted = receipt.format_code(code)
    assert len(formatted) == 19 and formatted.count("-") == 3


def test_codes_are_not_repeated() -> None:
    assert len({receipt.generate() for _ in range(5000)}) == 5000


@given(st.lists(st.sampled_from(receipt.ALPHABET), min_size=16, max_size=16).map("".join))
def test_parse_accepts_what_people_type(code: str) -> None:
    formatted = receipt.format_code(code)
    assert receipt.parse(formatted) == code
    assert receipt.parse(formatted.lower()) == code
    assert receipt.parse(f"  {formatted.replace('-', ' ')} ") == code
    assert receipt.parse(code[:-1]) is None
    assert receipt.parse(code + "A") is None


def test_cyrillic_lookalikes_typed_on_a_russian_layout() -> None:
    assert receipt.parse("К7QМ-2XPD-9НFА-LТ3С") == "K7QM2XPD9HFALT3C"


def test_near_misses_are_rejected() -> None:
    assert receipt.parse("K7QM-2XPD-9HFA-LT30") is None  # 0 is not in the alphabet
    assert receipt.parse("K7QM-2XPD-9HFA-LT3") is None
    assert receipt.parse("") is None
    assert receipt.parse("/status") is None
