"""What departments see: digest headers, case cards and buttons, in the department's language."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape, unescape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import CaseAction, CaseCB
from bot.catalog import Catalog
from bot.deadlines import Deadlines, Urgency
from bot.formatting import format_moment, format_number, utf16_length
from bot.labels import resolution_labels
from bot.textsplit import split_plain
from bot.views import occurred_label
from storage.cases import CaseRow

TEXT_LIMIT = 4096
REMINDER_LISTED = 50
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
) -> list[str]:
    """The card (metadata and the start of the text) and, for long texts, its continuations."""
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
        *flags,
        _("<b>Region:</b> {value}").format(value=region.name(locale) if region else case.region),
        _("<b>Sphere:</b> {value}").format(value=sphere.name(locale) if sphere else case.category),
        _("<b>When:</b> {value}").format(value=occurred_label(case.occurred)),
        _("<b>Organisation or place:</b> {value}").format(value=escape(text.place or "—")),
        _("<b>Received:</b> {value}").format(
            value=format_moment(datetime.fromisoformat(case.created_at), zone, locale)
        ),
    ]
    if deadline is not None:
        lines.append(_("<b>Due:</b> {value}").format(value=format_moment(deadline, zone, locale)))
    lines.append(
        _("<b>Questions to the reporter:</b> {value}").format(
            value=_("possible through the bot") if text.can_ask else _("not possible")
        )
    )
    head = "\n".join(lines) + "\n\n"
    room = TEXT_LIMIT - utf16_length(_plain(head))
    first, *rest = split_plain(text.body, room)
    remainder = "".join(rest)
    parts = [head + escape(first, quote=False)]
    parts += [escape(part, quote=False) for part in split_plain(remainder, TEXT_LIMIT) if part]
    return parts


def case_keyboard(case: CaseRow) -> InlineKeyboardMarkup:
    """Ask is always there: without the reporter's opt-in the question waits on /status."""
    builder = InlineKeyboardBuilder()
    if case.status in ("new", "delivered"):
        builder.button(
            text=_("✅ Accept"), callback_data=CaseCB(action=CaseAction.ACCEPT, case=case.id)
        )
    builder.button(
        text=_("❓ Ask the reporter"), callback_data=CaseCB(action=CaseAction.ASK, case=case.id)
    )
    builder.button(text=_("🏁 Close"), callback_data=CaseCB(action=CaseAction.CLOSE, case=case.id))
    builder.button(
        text=_("↪️ Wrong region"), callback_data=CaseCB(action=CaseAction.MOVE, case=case.id)
    )
    builder.adjust(2)
    return builder.as_markup()


def resolution_keyboard(case: CaseRow) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, label in resolution_labels().items():
        builder.button(
            text=label, callback_data=CaseCB(action=CaseAction.RESOLVE, case=case.id, arg=code)
        )
    builder.button(text=_("⬅️ Back"), callback_data=CaseCB(action=CaseAction.BACK, case=case.id))
    builder.adjust(1)
    return builder.as_markup()


def regions_keyboard(case: CaseRow, catalog: Catalog, locale: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for region in catalog.regions:
        if region.code != case.region:
            builder.button(
                text=region.name(locale),
                callback_data=CaseCB(action=CaseAction.MOVE_TO, case=case.id, arg=region.code),
            )
    builder.adjust(2)
    builder.row(
        InlineKeyboardButton(
            text=_("⬅️ Back"), callback_data=CaseCB(action=CaseAction.BACK, case=case.id).pack()
        )
    )
    return builder.as_markup()


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
        _("New reports: {count}").format(count=format_number(len(cases), locale)),
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
