"""Every label of every keyboard the bot shows fits a phone's row, in Kazakh and in Russian.

Widths are counted by ``bot.ui.keyboards.label_width``: a letter, digit or sign is one place, an
emoji or a flag two, what is drawn onto the character before (variation selectors, accents, skin
tones, the rest of a ZWJ sequence) none. A row of two or more buttons allows ``HALF_ROW_CHARS``
(16) per label, a button alone in its row ``FULL_ROW_CHARS`` (30).

Each keyboard is built through its real function, named in ``BUILDERS`` by where it lives; a scan
of bot/, handlers/ and web/ finds every function that puts a label on a button, and the two sets
must be equal, so a new keyboard cannot escape the measure.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MenuButtonWebApp
from babel.messages.pofile import read_po

from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.core.values import CaseStatus, Resolution
from bot.reports.draft import STEPS, Draft
from bot.telegram.i18n import create_i18n
from bot.ui import texts
from bot.ui.callbacks import RegionCB, SphereCB
from bot.ui.context import ViewContext
from bot.ui.keyboards import FULL_ROW_CHARS, HALF_ROW_CHARS, label_width
from storage.broadcasts import BroadcastRow, BroadcastStatus
from tests.support.samples import sample_case

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("kk", "ru")
I18N = create_i18n("kk")
CATALOG = Catalog.load()
ZONE = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
# Counts on the admins' audience buttons: four digits, a region's subscribers in a good year.
COUNT = 1234

Row = list[InlineKeyboardButton]
Shown = InlineKeyboardMarkup | Row | MenuButtonWebApp | None


def case(**changes: Any):
    return dataclasses.replace(sample_case(urgent=False), **changes)


CASES = [
    case(status=status, contact=contact) for status in CaseStatus for contact in (None, b"address")
]


def broadcast(status: BroadcastStatus, number: int = 12) -> BroadcastRow:
    return BroadcastRow(
        id=number,
        status=status,
        audience="",
        content=b"",
        admin_ref=b"",
        admin_locale="ru",
        progress_message_id=None,
        created_at=NOW.isoformat(),
        scheduled_at=NOW.timestamp(),
        started_at=None,
        finished_at=None,
        total=10,
    )


def _dialog_steps(render: Callable[..., Any], ctx: ViewContext) -> Iterator[Shown]:
    drafts = [
        Draft(),
        Draft(region="abai", sphere="police", occurred="week", place="Школа № 5", body=["a"]),
        Draft(region="abai", linked_region=True, files=["f"], contact=True),
    ]
    for step in STEPS:
        for draft in drafts:
            yield render(step, draft, ctx)[1]


def _book_pages(pages: Callable[..., InlineKeyboardMarkup]) -> Iterator[Shown]:
    for book, labels in (
        (
            texts.HELP,
            {key: label for key, (label, _) in texts.help_pages("1424", admin=True).items()},
        ),
        (texts.PRIVACY, {key: label for key, (label, _) in texts.privacy_pages(24).items()}),
    ):
        for current in labels:
            yield pages(book, labels, current)


# Each keyboard-building function, by module:qualified name, with the calls that show every label
# it can put on a button (each state, each language-dependent value).
BUILDERS: dict[str, Callable[[Callable[..., Any], ViewContext], Iterator[Shown]]] = {
    "bot.ui.keyboards:nav_row": lambda f, ctx: iter([f(), f(back=False)]),
    "bot.ui.keyboards:languages": lambda f, ctx: iter([f()]),
    "bot.ui.keyboards:main_menu": lambda f, ctx: iter([f(has_draft=True), f(has_draft=False)]),
    "bot.ui.keyboards:language_choice": lambda f, ctx: iter([f()]),
    "bot.ui.keyboards:entries": lambda f, ctx: iter(
        [
            f(CATALOG.regions_by_use, ctx.locale, RegionCB),
            f(CATALOG.categories, ctx.locale, SphereCB),
        ]
    ),
    "bot.ui.keyboards:more_privacy": lambda f, ctx: iter([f()]),
    "bot.ui.keyboards:pages": lambda f, ctx: _book_pages(f),
    "bot.ui.workspace:workspace_keyboard": lambda f, ctx: iter([f("https://example.org/")]),
    "bot.ui.workspace:workspace_menu_button": lambda f, ctx: iter([f("https://example.org/")]),
    "bot.reports.keyboards:keep_row": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:when": lambda f, ctx: iter([f(has_value=True), f(has_value=False)]),
    "bot.reports.keyboards:place": lambda f, ctx: iter([f(has_value=True), f(has_value=False)]),
    "bot.reports.keyboards:body": lambda f, ctx: iter([f(has_text=True), f(has_text=False)]),
    "bot.reports.keyboards:evidence": lambda f, ctx: iter(
        f(has_files=files, info=info) for files in (True, False) for info in (True, False)
    ),
    "bot.reports.keyboards:add_text": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:start_with_text": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:confirm_cancel": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:change_region": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:contact": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:review": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:answer_keyboard": lambda f, ctx: iter([f("q" * 32)]),
    "bot.reports.keyboards:finish": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:clear_chat": lambda f, ctx: iter([f()]),
    "bot.reports.keyboards:add_information": lambda f, ctx: iter([f()]),
    "bot.cases.views:case_keyboard": lambda f, ctx: (f(row) for row in CASES),
    "bot.cases.views:undo_keyboard": lambda f, ctx: iter([f(CASES[0])]),
    "bot.cases.views:resolution_keyboard": lambda f, ctx: iter([f(CASES[0])]),
    "bot.cases.views:confirm_close_keyboard": lambda f, ctx: (
        f(CASES[0], code) for code in Resolution
    ),
    "bot.cases.views:regions_keyboard": lambda f, ctx: (
        f(case(region=region.code), CATALOG, ctx.locale) for region in CATALOG.regions
    ),
    "bot.cases.chat_views:chat_language_keyboard": lambda f, ctx: iter([f(), f("by")]),
    "bot.cases.chat_views:open_cases_page": lambda f, ctx: (
        f(
            [case(case_no=number) for number in range(9990, 10025)],
            page,
            ctx,
            Deadlines(7, 90),
            NOW,
        )[1]
        for page in range(4)
    ),
    "bot.broadcasts.views:_cancel_row": lambda f, ctx: iter([f()]),
    "bot.broadcasts.views:start_keyboard": lambda f, ctx: iter([f()]),
    "bot.broadcasts.views:audience_keyboard": lambda f, ctx: iter(
        [
            f(
                COUNT,
                dict.fromkeys(("kk", "ru"), COUNT),
                {region.code: COUNT for region in CATALOG.regions},
                ctx,
            )
        ]
    ),
    "bot.broadcasts.views:review_keyboard": lambda f, ctx: iter([f()]),
    "bot.broadcasts.views:schedule_keyboard": lambda f, ctx: (
        f(datetime(2026, 12, day, 8, 0, tzinfo=UTC), ctx) for day in range(1, 8)
    ),
    "bot.broadcasts.views:control_keyboard": lambda f, ctx: (
        f(broadcast(status)) for status in BroadcastStatus
    ),
    "bot.broadcasts.views:recent_keyboard": lambda f, ctx: iter(
        [f([broadcast(status, 10000 + i) for i, status in enumerate(BroadcastStatus)])]
    ),
    "bot.broadcasts.views:news_regions": lambda f, ctx: iter([f(CATALOG, ctx.locale)]),
}


# Screens built of the keyboards above, measured as the user meets them (lead rows included).
COMPOSED: dict[str, Callable[[Callable[..., Any], ViewContext], Iterator[Shown]]] = {
    "bot.reports.views:render_step": _dialog_steps,
}


def builder(key: str) -> Callable[..., Any]:
    module, _, name = key.partition(":")
    return getattr(importlib.import_module(module), name)


# Functions that put a label on a button, found in the code.
CONSTRUCTORS = {
    "InlineKeyboardButton",
    "InlineKeyboardMarkup",
    "InlineKeyboardBuilder",
    "ReplyKeyboardBuilder",
    "KeyboardButton",
    "ReplyKeyboardMarkup",
    "MenuButtonWebApp",
    "button",
}


def _called(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def _passes_its_parameter(function: ast.FunctionDef) -> bool:
    """A helper whose button's label is one of its parameters: its callers choose the text."""
    parameters = {arg.arg for arg in function.args.args}
    return any(
        keyword.arg == "text"
        and isinstance(keyword.value, ast.Name)
        and keyword.value.id in parameters
        for call in ast.walk(function)
        if isinstance(call, ast.Call)
        for keyword in call.keywords
    )


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef]]:
    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield prefix + child.name, child  # type: ignore[misc]
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")

    return walk(tree, "")


def label_placers(folders: tuple[str, ...] = ("bot", "handlers", "web")) -> set[str]:
    """module:function for every function that builds a button, a row or a keyboard with a label
    of its own choosing, directly or through a helper that takes the label from it."""
    found: dict[str, ast.FunctionDef] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for name, function in _functions(tree):
                found[f"{module}:{name}"] = function
    direct = {key for key, function in found.items() if _called(function) & CONSTRUCTORS}
    helpers = {key for key in direct if _passes_its_parameter(found[key])}
    helper_names = {key.rpartition(":")[2].rpartition(".")[2] for key in helpers}
    placers = direct | {key for key, function in found.items() if _called(function) & helper_names}
    return placers - helpers


def _rows(shown: Shown) -> list[Row]:
    if shown is None:
        return []
    if isinstance(shown, InlineKeyboardMarkup):
        return shown.inline_keyboard
    if isinstance(shown, MenuButtonWebApp):
        return [[InlineKeyboardButton(text=shown.text, callback_data="-")]]
    return [shown]


@cache
def _msgids(locale: str) -> list[tuple[re.Pattern[str], str]]:
    """Each msgstr as a pattern (placeholders match anything), with its msgid."""
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    found = []
    for message in catalog:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str):
            parts = re.split(r"\{[a-z_]+\}", message.string)
            found.append((re.compile(".+".join(map(re.escape, parts))), message.id))
    return found


def source(label: str, locale: str) -> str:
    """Where a label's words come from: its msgid, or the label itself (names from bot/data)."""
    stripped = label.removeprefix("• ")
    for pattern, msgid in _msgids(locale):
        if pattern.fullmatch(stripped):
            return msgid
    return label


def too_wide(locale: str) -> dict[tuple[str, str], str]:
    """Every label wider than its row allows, by (language, source), with where it was seen."""
    ctx = ViewContext(CATALOG, locale, ZONE)
    wide: dict[tuple[str, str], str] = {}
    with I18N.context(), I18N.use_locale(locale):
        for key, shows in (BUILDERS | COMPOSED).items():
            for shown in shows(builder(key), ctx):
                for row in _rows(shown):
                    limit = HALF_ROW_CHARS if len(row) > 1 else FULL_ROW_CHARS
                    for item in row:
                        width = label_width(item.text)
                        if width > limit:
                            wide[(locale, source(item.text, locale))] = (
                                f"{item.text!r}: {width} > {limit} in {key}"
                            )
    return wide


@pytest.mark.parametrize("locale", LOCALES)
def test_every_label_fits_its_row(locale: str) -> None:
    wide = too_wide(locale)
    assert not wide, "\n".join(f"{key}: {where}" for key, where in wide.items())


def test_every_keyboard_is_measured() -> None:
    assert label_placers() == set(BUILDERS)


def test_the_scan_finds_a_new_keyboard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "bot"
    package.mkdir()
    (package / "extra.py").write_text(
        "def helper(text, action):\n"
        "    return InlineKeyboardButton(text=text, callback_data=action)\n"
        "def row():\n"
        "    return [helper('Label', 'x')]\n"
        "def plain():\n"
        "    return 1\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert label_placers(("bot",)) == {"bot.extra:row"}


@pytest.mark.parametrize(
    ("label", "width"),
    [
        ("Полиция", 7),
        ("✅ Done", 7),
        ("⬅️ Back", 7),
        ("⏸ Pause", 8),
        ("🇰🇿 Қазақша", 10),
        ("👩‍💻 Code", 7),
        ("Йо\u0301д", 3),
        ("👍🏽", 2),
    ],
)
def test_label_width_counts_as_a_phone_shows(label: str, width: int) -> None:
    assert label_width(label) == width


def test_region_and_sphere_buttons_use_their_short_names() -> None:
    east = CATALOG.region("east_kazakhstan")
    revenue = CATALOG.category("state_revenue")
    assert east is not None and revenue is not None
    for entry in (east, revenue):
        for locale in LOCALES:
            assert label_width(entry.label(locale)) <= FULL_ROW_CHARS
            assert entry.label(locale) != entry.name(locale), "texts keep the official name"
    with I18N.context(), I18N.use_locale("ru"):
        markup = builder("bot.cases.views:regions_keyboard")(case(), CATALOG, "ru")
    labels = {item.text for row in markup.inline_keyboard for item in row}
    assert "Восточно-Казахстанская" in labels
    assert "Восточно-Казахстанская область" not in labels
