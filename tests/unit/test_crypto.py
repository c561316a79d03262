from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.security.crypto import Cipher, DecryptionError, Pseudonyms

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


@given(st.binary(max_size=2048), st.text(max_size=40))
def test_round_trip(plaintext: bytes, aad: str) -> None:
    cipher = Cipher([KEY_A])
    assert cipher.open(cipher.seal(plaintext, aad), aad) == plaintext


def test_ciphertext_does_not_contain_plaintext_and_nonces_differ() -> None:
    cipher = Cipher([KEY_A])
    first = cipher.seal(b"MARKER-SECRET-TEXT", "reports:1:body")
    second = cipher.seal(b"MARKER-SECRET-TEXT", "reports:1:body")
    assert b"MARKER" not in first
    assert first != second
    assert first[5:17] != second[5:17], "a fresh nonce per encryption"


def test_moving_a_ciphertext_to_another_row_or_field_fails() -> None:
    cipher = Cipher([KEY_A])
    blob = cipher.seal(b"text", "reports:1:body")
    for other in ("reports:2:body", "reports:1:place", "report_notes:1:body"):
        with pytest.raises(DecryptionError):
            cipher.open(blob, other)


def test_tampering_fails() -> None:
    cipher = Cipher([KEY_A])
    blob = bytearray(cipher.seal(b"text", "x"))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError):
        cipher.open(bytes(blob), "x")
    with pytest.raises(DecryptionError):
        cipher.open(b"\x01short", "x")


def test_first_key_encrypts_all_keys_decrypt() -> None:
    old = Cipher([KEY_A]).seal(b"old", "x")
    rotated = Cipher([KEY_B, KEY_A])
    assert rotated.open(old, "x") == b"old"
    new = rotated.seal(b"new", "x")
    assert Cipher([KEY_B]).open(new, "x") == b"new"
    with pytest.raises(DecryptionError):
        Cipher([KEY_A]).open(new, "x")


def test_no_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        Cipher([])


def test_pseudonyms_are_keyed_and_separated_by_purpose() -> None:
    one = Pseudonyms(os.urandom(32))
    other = Pseudonyms(os.urandom(32))
    assert one.digest("user", 42) == one.digest("user", 42)
    assert one.digest("user", 42) != one.digest("receipt", 42)
    assert one.digest("user", 42) != other.digest("user", 42)
    assert one.digest("fsm", "1", "2") != one.digest("fsm", "12")
