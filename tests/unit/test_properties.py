"""Properties that must hold for any input: escaping, splitting, sealing, receipt codes."""

from __future__ import annotations

import os
from html import escape
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cases.views import CaseText, case_messages
from bot.core import receipt
from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.security.crypto import Cipher, DecryptionError
from bot.telegram.i18n import create_i18n
from bot.telegram.sanitize import visible_text
from bot.ui.formatting import utf16_length
from bot.ui.textsplit import pack_lines, split_plain
from tests.fakeapi.html import parse_html
from tests.support.samples import sample_case

TEXT_LIMIT = 4096
# Any Unicode a user can send (lone surrogates are replaced before handlers:
# bot/telegram/sanitize.py).
USER_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
CIPHER = Cipher([os.urandom(32)])
AAD = st.builds(
    "{}:{}:{}".format,
    st.sampled_from(["reports", "attachments", "questions", "subscribers"]),
    st.text(alphabet="0123456789abcdef", min_size=1, max_size=32),
    st.sampled_from(["body", "place", "data", "meta", "chat_ref"]),
)


@given(USER_TEXT)
def test_any_escaped_text_renders_as_itself(text: str) -> None:
    assert parse_html(escape(text, quote=False)).text == text


@given(USER_TEXT, st.integers(min_value=2, max_value=TEXT_LIMIT))
def test_splitting_keeps_everything_and_never_cuts_a_character(text: str, limit: int) -> None:
    parts = split_plain(text, limit)
    assert "".join(parts) == text
    for part in parts:
        assert utf16_length(part) <= limit
        part.encode("utf-8")  # a half of a surrogate pair would not encode
        assert part.encode("utf-16-le").decode("utf-16-le") == part


@settings(max_examples=40, deadline=None)
@given(
    body=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=9000),
    place=st.none() | USER_TEXT,
)
def test_any_case_becomes_valid_html_messages_within_the_limit(
    body: str, place: str | None
) -> None:
    i18n = create_i18n("ru")
    case = sample_case(urgent=False)
    with i18n.context(), i18n.use_locale("kk"):
        parts = case_messages(
            case,
            CaseText(place=place, body=body, can_ask=False),
            Catalog.load(),
            "kk",
            ZoneInfo("Asia/Almaty"),
            Deadlines(7, 90),
            unrouted=False,
            repeat=False,
        )
    shown = [parse_html(part).text for part in parts]  # raises on a cut or unbalanced tag
    assert all(utf16_length(text) <= TEXT_LIMIT for text in shown)
    assert visible_text(body).strip()[-20:] in "".join(shown)


@given(st.binary(max_size=2000), AAD)
def test_sealing_round_trips(plaintext: bytes, aad: str) -> None:
    assert CIPHER.open(CIPHER.seal(plaintext, aad), aad) == plaintext


@given(st.binary(max_size=200), st.binary(max_size=200), AAD, AAD)
def test_swapped_ciphertexts_do_not_open(first: bytes, second: bytes, a: str, b: str) -> None:
    """A value moved to another row or field (another table, row id or column) is refused."""
    if a == b:
        return
    with pytest.raises(DecryptionError):
        CIPHER.open(CIPHER.seal(first, a), b)
    with pytest.raises(DecryptionError):
        CIPHER.open(CIPHER.seal(second, b), a)


def test_no_nonce_repeats_in_100000_encryptions() -> None:
    header = 1 + 4
    nonces = {CIPHER.seal(b"x", "t:1:f")[header : header + 12] for _ in range(100_000)}
    assert len(nonces) == 100_000


CODES = st.text(alphabet=receipt.ALPHABET, min_size=receipt.LENGTH, max_size=receipt.LENGTH)


@given(CODES, st.sampled_from(["{}", "{} ", " {}", "{}\n"]), st.booleans())
def test_receipt_codes_parse_back_however_they_are_typed(
    code: str, frame: str, lower: bool
) -> None:
    shown = receipt.format_code(code)
    typed = frame.format(shown.lower() if lower else shown)
    assert receipt.parse(typed) == code
    assert receipt.parse(code) == code


@given(CODES, st.integers(min_value=0, max_value=receipt.LENGTH - 1), st.data())
def test_near_miss_receipt_codes_are_rejected(
    code: str, position: int, data: st.DataObject
) -> None:
    wrong = data.draw(st.sampled_from("01IO!?#ЖЯ"))
    assert receipt.parse(code[:position] + wrong + code[position + 1 :]) is None
    assert receipt.parse(code[:position] + code[position + 1 :]) is None
    assert receipt.parse(code + data.draw(st.sampled_from(receipt.ALPHABET))) is None


@given(lines=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)))
def test_lines_are_packed_whole_into_messages_within_the_limit(lines: list[str]) -> None:
    lines = [line.replace("\n", " ") for line in lines]
    packed = pack_lines(lines, limit=1000)
    assert all(utf16_length(message) <= 1000 for message in packed)
    assert "\n".join(packed) == "\n".join(lines), "nothing lost, nothing cut inside a line"
    assert [line for message in packed for line in message.split("\n")] == lines
