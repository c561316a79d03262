"""What departments see: digest headers, case cards and buttons, in the department's language."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import Enum
from html import escape, unescape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines, Urgency
from bot.core.values import UNACCEPTED
from bot.reports.evidence import IDENTIFYING_KINDS, FileKind
from bot.reports.views import occurred_label
from bot.telegram.sanitize import visible_text
from bot.ui.callbacks import CaseAction, CaseCB
from bot.ui.formatting import format_moment, format_number, truncate_utf16, utf16_length
from bot.ui.keyboards import grid, pairs
from bot.ui.labels import resolution_labels
from bot.ui.textsplit import split_plain
from storage.cases import CaseRow

TEXT_LIMIT = 4096
RELAYED_PART = 3500
CAPTION_LIMIT = 1024
REMINDER_LISTED = 50
DIGEST_NUMBERS = 40
HISTORY_ROOM = 700
"""UTF-16 units of a card kept for its history (bot/cases/card.py): the newest entries that fit."""
FLAGS_ROOM = 400
"""Units kept for the lines that come and go (flags, the deadline), so that the card's first part
holds the same text of the report however often it is edited."""
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class CaseText:
    """A case's confidential fields, opened for display."""

    place: str | None
    body: str
    can_ask: bool


def case_messages(
    case: CaseRow,
    text: CaseText,
    catalog: Catalog,
    locale: str,
    zone: tzinfo,
    deadlines: Deadlines,
    *,
    unrouted: bool = False,
    repeat: bool = False,
    history: Sequence[str] = (),
) -> list[str]:
    """The card (metadata, the start of the text, its history) and, for long texts, the
    continuations of the text."""
    region = catalog.region(case.region)
    sphere = catalog.category(case.category)
    flags = []
    if case.urgent:
        flags.append(_("⚡ <b>Urgent: happening now</b>"))
    if unrouted:
        flags.append(_("⚠️ <b>Unrouted:</b> no department chat is linked for this region."))
    if repeat:
        flags.append(_("🔁 Possible repeat: this case may have been sent here before."))
    deadline = deadlines.of(case)
    lines = [
        _("<b>Case № {number}</b>").format(number=case.case_no),
        _("<b>Region:</b> {value}").format(value=region.name(locale) if region else case.region),
        _("<b>Sphere:</b> {value}").format(value=sphere.name(locale) if sphere else case.category),
        _("<b>When:</b> {value}").format(value=occurred_label(case.occurred)),
        _("<b>Organisation or place:</b> {value}").format(
            value=escape(visible_text(text.place or "—"))
        ),
        _("<b>Received:</b> {value}").format(
            value=format_moment(datetime.fromisoformat(case.created_at), zone, locale)
        ),
    ]
    lines.append(
        _("<b>Questions to the reporter:</b> {value}").format(
            value=_("possible through the bot") if text.can_ask else _("not possible")
        )
    )
    room = TEXT_LIMIT - utf16_length(_plain("\n".join(lines))) - FLAGS_ROOM - HISTORY_ROOM
    if deadline is not None:
        lines.insert(
            -1, _("<b>Due:</b> {value}").format(value=format_moment(deadline, zone, locale))
        )
    lines[1:1] = flags
    head = "\n".join(lines) + "\n\n"
    first, *rest = split_plain(visible_text(text.body), room)
    remainder = "".join(rest)
    parts = [head + escape(first, quote=False) + history_block(history)]
    parts += [escape(part, quote=False) for part in split_plain(remainder, TEXT_LIMIT) if part]
    return parts


def history_block(lines: Sequence[str]) -> str:
    """A card's history, newest last, within ``HISTORY_ROOM``: the oldest entries give way."""
    if not lines:
        return ""
    kept: list[str] = []
    room = HISTORY_ROOM - 2
    for line in reversed(lines):
        room -= utf16_length(_plain(line)) + 1
        if room < 2:
            kept.append("…")
            break
        kept.append(line)
    return "\n\n" + "\n".join(reversed(kept))


class Relayed(Enum):
    """What the reporter sent after their report, as the outbox kind of its text."""

    ANSWER = "answer"
    ADDITION = "addition"


def relayed_messages(kind: Relayed, number: int, text: str) -> list[str]:
    """The reporter's answer or addition as officers read it: the case's number, then the text,
    in parts that leave room for the header."""
    if kind is Relayed.ANSWER:
        header = _("💬 <b>The reporter answered</b> (case № {number}):")
    else:
        header = _("📎 <b>The reporter added information</b> (case № {number}):")
    header = header.format(number=number)
    parts = split_plain(visible_text(text), RELAYED_PART)
    return [f"{header}\n\n{escape(part, quote=False)}" for part in parts]


def question_sent(direct: bool) -> str:
    """Where an officer's question went: to the reporter (``direct``), or to wait on /status."""
    return _("The question was sent to the reporter.") if direct else question_waits()


def question_waits() -> str:
    """Why an officer's question did not go to the reporter at once."""
    return _(
        "The reporter did not allow questions through the bot: the question will wait for them "
        "when they check the report with /status."
    )


def file_note(
    kind: FileKind, cleaned: bool, masked: bool = False, voice_kept: bool = False
) -> str | None:
    """What officers should know about an evidence file before passing it on."""
    if masked and kind is FileKind.VOICE:
        return _(
            "🎙 The bot changed the voice in this recording, so that the reporter is not "
            "recognised by it. The words, the way of speaking and background sounds are as "
            "recorded: do not pass it on outside the service."
        )
    if masked:
        return _("🧹 Metadata removed and the voice changed by the bot.")
    if cleaned and voice_kept:
        return _(
            "🧹 Metadata removed by the bot. ⚠️ The bot could not change the voice in this "
            "video: it may identify the reporter, do not pass it on outside the service."
        )
    if cleaned:
        return _("🧹 Metadata removed by the bot.")
    if kind in IDENTIFYING_KINDS:
        return _(
            "⚠️ This file is kept as the reporter sent it. Its metadata (author, device, "
            "sometimes the location) or a voice in it may identify the reporter: do not pass it "
            "on outside the service."
        )
    return None


def file_heading(number: int, ordinal: int, total: int) -> str:
    """Which case a file belongs to, and its place among the case's files."""
    return _("Case № {number} · file {ordinal}/{total}").format(
        number=number, ordinal=ordinal, total=total
    )


def attachment_caption(caption: str | None, *notes: str | None) -> str | None:
    """The bot's lines about a file, then the reporter's caption (its visible characters),
    within Telegram's limit."""
    ours = [note for note in notes if note]
    room = CAPTION_LIMIT - sum(utf16_length(note) + 2 for note in ours)
    parts = (*ours, truncate_utf16(visible_text(caption or ""), room))
    return "\n\n".join(part for part in parts if part) or None


def case_keyboard(case: CaseRow) -> InlineKeyboardMarkup:
    """Ask is always there, in a row of its own: without the reporter's opt-in (no contact kept)
    its label says the question waits for them on /status."""
    actions = [(_("🏁 Close"), CaseAction.CLOSE), (_("↪️ Wrong region"), CaseAction.MOVE)]
    if case.status in UNACCEPTED:
        actions.insert(0, (_("✅ Accept"), CaseAction.ACCEPT))
    ask = _("❓ Ask the reporter") if case.contact is not None else _("❓ Ask (waits for /status)")
    buttons = [
        InlineKeyboardButton(text=text, callback_data=CaseCB(action=action, case=case.id).pack())
        for text, action in actions
    ]
    ask_button = InlineKeyboardButton(
        text=ask, callback_data=CaseCB(action=CaseAction.ASK, case=case.id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[ask_button], *grid(buttons, 2)])


def undo_keyboard(case: CaseRow) -> InlineKeyboardMarkup:
    """Under a card closed less than the undo window ago."""
    undo = CaseCB(action=CaseAction.UNDO, case=case.id)
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=_("↩️ Undo"), callback_data=undo.pack())]]
    )


def resolution_keyboard(case: CaseRow) -> InlineKeyboardMarkup:
    choices = [
        (label, CaseCB(action=CaseAction.RESOLVE, case=case.id, arg=code))
        for code, label in resolution_labels().items()
    ]
    choices.append((_("⬅️ Back"), CaseCB(action=CaseAction.BACK, case=case.id)))
    buttons = [InlineKeyboardButton(text=text, callback_data=data.pack()) for text, data in choices]
    return InlineKeyboardMarkup(inline_keyboard=grid(buttons, 1))


def confirm_close_keyboard(case: CaseRow, resolution: str) -> InlineKeyboardMarkup:
    """The second step of closing: the reporter is told and the contact dropped on Confirm."""
    label = resolution_labels().get(resolution, resolution)
    confirm = CaseCB(action=CaseAction.CONFIRM, case=case.id, arg=resolution)
    back = CaseCB(action=CaseAction.BACK, case=case.id)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("✅ Confirm: {resolution}").format(resolution=label),
                    callback_data=confirm.pack(),
                )
            ],
            [InlineKeyboardButton(text=_("⬅️ Back"), callback_data=back.pack())],
        ]
    )


def regions_keyboard(case: CaseRow, catalog: Catalog, locale: str) -> InlineKeyboardMarkup:
    """The regions a case can move to, by their button labels, two a row where both fit."""
    buttons = [
        InlineKeyboardButton(
            text=region.label(locale),
            callback_data=CaseCB(action=CaseAction.MOVE_TO, case=case.id, arg=region.code).pack(),
        )
        for region in catalog.regions
        if region.code != case.region
    ]
    back = InlineKeyboardButton(
        text=_("⬅️ Back"), callback_data=CaseCB(action=CaseAction.BACK, case=case.id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[*pairs(buttons), [back]])


def digest_header(
    department: str,
    cases: list[CaseRow],
    open_cases: list[CaseRow],
    catalog: Catalog,
    locale: str,
    deadlines: Deadlines,
    now: datetime,
    since: datetime | None,
    zone: tzinfo,
) -> str:
    spheres = Counter(case.category for case in cases)
    urgencies = Counter(deadlines.urgency(case, now) for case in open_cases)
    until = format_moment(now, zone, locale)
    period = (
        _("Period: {start} to {end}").format(start=format_moment(since, zone, locale), end=until)
        if since
        else _("Period: until {end}").format(end=until)
    )
    lines = [
        _("📬 <b>Digest for {department}</b>").format(department=escape(department)),
        period,
        _("New reports: {count} (№ {numbers})").format(
            count=format_number(len(cases), locale), numbers=case_numbers(cases)
        ),
    ]
    for code, count in spheres.most_common():
        entry = catalog.category(code)
        name = entry.name(locale) if entry else code
        lines.append(f"• {escape(name)}: {format_number(count, locale)}")
    lines.append(
        _("Due within two days: {due}. Overdue: {overdue}.").format(
            due=format_number(urgencies[Urgency.DUE], locale),
            overdue=format_number(urgencies[Urgency.OVERDUE], locale),
        )
    )
    return "\n".join(lines)


def case_numbers(cases: list[CaseRow]) -> str:
    """The cases' numbers, the first ``DIGEST_NUMBERS`` of them, so a header stays short."""
    numbers = [str(case.case_no) for case in cases[:DIGEST_NUMBERS]]
    if len(cases) > DIGEST_NUMBERS:
        numbers.append("…")
    return ", ".join(numbers)


def overdue_reminder(
    department: str, cases: list[CaseRow], deadlines: Deadlines, locale: str, zone: tzinfo
) -> str:
    lines = [
        _("⏰ <b>Overdue cases of {department}</b>: {count}").format(
            department=escape(department), count=format_number(len(cases), locale)
        )
    ]
    for case in cases[:REMINDER_LISTED]:
        deadline = deadlines.of(case)
        due = format_moment(deadline, zone, locale) if deadline else "—"
        lines.append(_("• № {number}, due {due}").format(number=case.case_no, due=due))
    if len(cases) > REMINDER_LISTED:
        lines.append(
            _("… and {count} more").format(
                count=format_number(len(cases) - REMINDER_LISTED, locale)
            )
        )
    return "\n".join(lines)


def _plain(html_text: str) -> str:
    """What Telegram counts of our own markup: tags removed, entities as one character."""
    return unescape(_TAG.sub("", html_text))
