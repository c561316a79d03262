"""Every screen the dialog can render is valid Telegram HTML within the length limits."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cases.views import CaseText, case_messages
from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.reports.draft import MAX_BODY_CHARS, MAX_PLACE_CHARS, STEPS, Draft
from bot.reports.service import StatusView
from bot.reports.views import render_step, status
from bot.telegram.i18n import create_i18n
from bot.ui.context import ViewContext
from bot.ui.formatting import truncate_utf16, utf16_length
from bot.ui.textsplit import split_plain
from storage.reports import EventRow
from tests.fakeapi import parse_html, utf16_len
from tests.support.samples import sample_case

I18N = create_i18n("kk")
CATALOG = Catalog.load()
ZONE = ZoneInfo("Asia/Almaty")
TEXT_LIMIT = 4096

# Any Unicode a person can send, astral emoji and markup-like characters included.
user_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=MAX_BODY_CHARS
)


def render(step_index: int, draft: Draft, locale: str) -> str:
    with I18N.context(), I18N.use_locale(locale):
        text, _ = render_step(STEPS[step_index], draft, ViewContext(CATALOG, locale, ZONE))
    return text


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=user_text,
    place=st.text(max_size=MAX_PLACE_CHARS),
    locale=st.sampled_from(["kk", "ru"]),
    step=st.integers(min_value=0, max_value=len(STEPS) - 1),
)
def test_any_draft_renders_valid_html_within_limits(
    body: str, place: str, locale: str, step: int
) -> None:
    draft = Draft(
        region="north_kazakhstan",
        sphere="state_revenue",
        occurred="week",
        place=place or None,
        body=[body],
        files=["a"] * 10,
        contact=True,
    )
    shown = parse_html(render(step, draft, locale))
    assert 1 <= utf16_len(shown.text) <= TEXT_LIMIT


def test_longest_astral_text_still_fits_the_review() -> None:
    draft = Draft(
        region="abai", sphere="police", place="😀" * MAX_PLACE_CHARS, body=["😀" * MAX_BODY_CHARS]
    )
    for locale in ("kk", "ru"):
        shown = parse_html(render(len(STEPS) - 1, draft, locale))
        assert utf16_len(shown.text) <= TEXT_LIMIT
        assert "<b>" not in shown.text


def test_user_markup_is_shown_as_typed() -> None:
    draft = Draft(
        region="abai", sphere="police", place="<b>ТОО & Ко</b>", body=["a < b && c > d <script>"]
    )
    shown = parse_html(render(len(STEPS) - 1, draft, "ru")).text
    assert "<b>ТОО & Ко</b>" in shown
    assert "a < b && c > d <script>" in shown


@given(st.text(max_size=300), st.integers(min_value=0, max_value=400))
def test_truncation_never_splits_a_character(text: str, limit: int) -> None:
    cut = truncate_utf16(text, limit)
    assert text.startswith(cut)
    assert utf16_length(cut) <= limit
    assert cut == text or utf16_length(text[: len(cut) + 1]) > limit


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_long_history_is_bounded(locale: str) -> None:
    moment = datetime(2026, 5, 1, tzinfo=UTC).isoformat()
    events = [EventRow("submitted", "new", moment)] + [EventRow("info_added", "new", moment)] * 300
    view = StatusView("r", "new", datetime(2026, 5, 1, tzinfo=UTC), events)
    with I18N.context(), I18N.use_locale(locale):
        text = status(view, ViewContext(CATALOG, locale, ZONE), Deadlines(7, 90))
    assert utf16_len(parse_html(text).text) <= TEXT_LIMIT
    assert "281" in text, "the number of hidden earlier entries is shown"


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=3000),
    st.integers(min_value=2, max_value=700),
)
def test_split_keeps_every_character_within_the_limit(text: str, limit: int) -> None:
    parts = split_plain(text, limit)
    assert "".join(parts) == text
    assert all(utf16_length(part) <= limit for part in parts)
    assert all(part for part in parts) or parts == [""]


def test_split_prefers_word_boundaries() -> None:
    text = ("слово " * 1000).strip()
    parts = split_plain(text, 4096)
    assert len(parts) == 2
    assert parts[0].endswith(" ") and not parts[1].startswith(" ")


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_a_long_case_is_split_into_valid_messages(locale: str) -> None:
    case = sample_case(urgent=True)
    body = "<script>&" + "😀 текст " * 1200
    with I18N.context(), I18N.use_locale(locale):
        parts = case_messages(
            case,
            CaseText(place="ТОО <Ромашка>", body=body, can_ask=True),
            CATALOG,
            locale,
            ZONE,
            Deadlines(7, 90),
            unrouted=True,
            repeat=True,
        )
    assert len(parts) >= 3
    shown = [parse_html(part).text for part in parts]
    assert all(utf16_len(text) <= TEXT_LIMIT for text in shown)
    assert "".join(shown).endswith(body[-50:])
    assert "<script>&" in shown[0] and "ТОО <Ромашка>" in shown[0]


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_a_card_keeps_its_text_split_and_its_limit_whatever_its_history(locale: str) -> None:
    """The history and the lines that come and go (flags, the deadline) never move the split of
    the report's text: continuations already sent stay right when the card is edited."""
    body = "😀 текст <b>" * 1000
    place = "ТОО <Ромашка> " * 40
    history = [f"✅ Қабылданды · <b>{'Ж' * 30}</b> · 5 жел., 16:{n:02}" for n in range(60)]
    shown = []
    for state, flagged, lines in (("new", True, []), ("closed", False, history)):
        case = dataclasses.replace(sample_case(urgent=flagged), status=state)
        with I18N.context(), I18N.use_locale(locale):
            parts = case_messages(
                case,
                CaseText(place=place, body=body, can_ask=True),
                CATALOG,
                locale,
                ZONE,
                Deadlines(7, 90),
                unrouted=flagged,
                repeat=flagged,
                history=lines,
            )
        texts = [parse_html(part).text for part in parts]
        assert all(utf16_len(text) <= TEXT_LIMIT for text in texts)
        shown.append(texts)
    fresh, edited = shown
    assert fresh[1:] == edited[1:], "the continuations are the same"
    assert edited[0].endswith(history[-1].replace("<b>", "").replace("</b>", ""))
    assert "…" in edited[0], "older entries give way to the newest"
