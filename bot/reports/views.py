"""What each step of the report dialog shows: its text and its keyboard."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.fsm.state import State
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_date

from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.core.values import UNACCEPTED, Occurred
from bot.reports import keyboards
from bot.reports.draft import (
    MAX_BODY_CHARS,
    MAX_PLACE_CHARS,
    QUESTION_STEPS,
    Draft,
    ReportForm,
    step_number,
)
from bot.reports.evidence import MAX_FILES
from bot.reports.service import StatusView
from bot.ui.callbacks import RegionCB, SphereCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment, format_number, truncate_utf16
from bot.ui.keyboards import entries
from bot.ui.labels import occurred_labels, resolution_labels, status_labels
from bot.ui.texts import false_report_warning, voice_masking
from storage.reports import EventRow

# In UTF-16 units, so that the review stays within Telegram's 4096 whatever the script or emoji.
REVIEW_BODY_PREVIEW = 1500
HISTORY_SHOWN = 20


def render_step(step: State, draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    if step == ReportForm.review:
        return review(draft, ctx), keyboards.review()
    header = _("<b>Step {number} of {total}.</b>").format(
        number=step_number(step), total=QUESTION_STEPS
    )
    text, markup = _QUESTIONS[step.state](draft, ctx)
    return f"{header} {text}", markup


def now_line(value: str) -> str:
    """What a step already holds, shown when the user comes back to it."""
    return _("Now: {value}").format(value=escape(value))


def button_hint(template: str, label: str) -> str:
    """A hint naming a button by the very label the keyboard under it shows."""
    return template.format(button=label)


def _region(draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    text = _("Which region did it happen in?")
    keep = None
    if draft.region:
        text += "\n\n" + now_line(ctx.region_name(draft.region))
        keep = [keyboards.keep_row()]
    markup = entries(ctx.catalog.regions_by_use, ctx.locale, RegionCB, lead=keep)
    return text, markup


def _sphere(draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    text = _("Which sphere does it concern?")
    lead = []
    sphere = ctx.catalog.category(draft.sphere or "")
    if sphere:
        text += "\n\n" + now_line(sphere.name(ctx.locale))
        lead.append(keyboards.keep_row())
    if draft.linked_region and draft.region:
        text = (
            _("📍 Region: {region} (from the link)").format(
                region=escape(ctx.region_name(draft.region))
            )
            + "\n\n"
            + text
        )
        lead.append(keyboards.change_region())
    markup = entries(ctx.catalog.categories, ctx.locale, SphereCB, lead=lead)
    return text, markup


def _when(draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    text = _("When did it happen?")
    if draft.occurred:
        text += "\n\n" + now_line(occurred_label(draft.occurred))
    return text, keyboards.when(has_value=bool(draft.occurred))


def _place(draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "Name the organisation or place: for example, a school, a hospital, a police "
        "department or an akimat, with its number or address. Up to {limit} characters."
    ).format(limit=format_number(MAX_PLACE_CHARS, ctx.locale))
    if draft.place:
        text += "\n\n" + now_line(draft.place)
    else:
        text += " " + button_hint(_("If you would rather not say, press «{button}»."), _("Skip ➡️"))
    return text, keyboards.place(has_value=bool(draft.place))


def _body(draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "Describe what happened: who (a position is enough), what they demanded or did, "
        "amounts, witnesses. Concrete facts are what make a check possible.\n\n"
        "You may send several messages."
    )
    if draft.body:
        text += "\n\n" + body_progress(draft, ctx.locale) + " " + done_hint()
    return text, keyboards.body(has_text=bool(draft.body))


def done_hint() -> str:
    return button_hint(_("When you have finished, press «{button}»."), keyboards.done_label())


def body_progress(draft: Draft, locale: str) -> str:
    return _("Saved so far: {count} of {limit} characters.").format(
        count=format_number(draft.body_length, locale),
        limit=format_number(MAX_BODY_CHARS, locale),
    )


def _evidence(draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    return evidence_step(draft, ctx, details=False)


def evidence_step(
    draft: Draft, ctx: ViewContext, *, details: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The evidence step; with ``details``, the advice on metadata and on voices in full instead
    of a line each. What masking does to a voice is always said, at least in a line: a voice is
    often sent without a tap on «Which files are safe»."""
    info = _("ℹ️ Which files are safe")
    text = _(
        "Send evidence if you have any: photos, videos, documents or voice messages, up to "
        "{max_files} files of up to 20 MB each."
    ).format(max_files=format_number(MAX_FILES, ctx.locale))
    if details:
        text += "\n\n" + metadata_warning() + "\n\n" + voice_masking()
    else:
        text += "\n\n" + voice_in_a_line()
        text += "\n\n" + button_hint(
            _("⚠️ A file can give away who made it and where: see «{button}»."), info
        )
    text += "\n\n" + files_hint(draft, ctx.locale)
    return text, keyboards.evidence(has_files=bool(draft.files), info=not details)


def voice_in_a_line() -> str:
    """``voice_masking`` in one line, for the evidence step before its details."""
    return _(
        "🎙 The voice in a recording is changed before it is stored, but the words and the "
        "sounds around stay as they are."
    )


def files_hint(draft: Draft, locale: str) -> str:
    """Where the step stands, naming the button that leads on from it."""
    if draft.files:
        return files_progress(draft, locale) + " " + done_hint()
    return button_hint(_("If you have none, press «{button}»."), keyboards.no_files_label())


def metadata_warning() -> str:
    """Behind «Which files are safe»: what each way of sending keeps about its author."""
    return _(
        "⚠️ Photos sent as photos lose their metadata in Telegram. Images sent as files (JPEG, "
        "PNG, WebP), videos (MP4, MOV) and documents (PDF, Word, Excel, PowerPoint, "
        "OpenDocument) are cleaned by the bot before they are stored: the author, the device "
        "and the place where they were made are removed. Their content stays: a name written "
        "in a document, a signature, a face. Other files (archives, HEIC pictures and others) "
        "are kept as they are and can carry all of this. Voice messages and audio files are "
        "stored only with the voice changed; in a video, the bot changes the voice where it can, "
        "otherwise the sound stays as recorded."
    )


def files_progress(draft: Draft, locale: str) -> str:
    return _("Files attached: {count} of {max_files}.").format(
        count=format_number(len(draft.files), locale),
        max_files=format_number(MAX_FILES, locale),
    )


def _contact(draft: Draft, ctx: ViewContext) -> tuple[str, InlineKeyboardMarkup]:
    return (
        _(
            "May the anti-corruption service ask you questions about this report through the "
            "bot? They will not see your name or account: the bot passes the questions on. If "
            "you agree, the bot keeps the address of this chat, encrypted, for this report only."
        )
        + "\n\n"
        + _(
            "The bot's messages can arrive silently, without sound or vibration, or with sound. "
            "Either way, their first line does not say what they are about."
        ),
        keyboards.contact(),
    )


_QUESTIONS = {
    ReportForm.region.state: _region,
    ReportForm.sphere.state: _sphere,
    ReportForm.when.state: _when,
    ReportForm.place.state: _place,
    ReportForm.body.state: _body,
    ReportForm.evidence.state: _evidence,
    ReportForm.contact.state: _contact,
}


def occurred_label(value: str | None) -> str:
    return occurred_labels()[Occurred(value or Occurred.UNKNOWN)]


def review(draft: Draft, ctx: ViewContext) -> str:
    region = ctx.catalog.region(draft.region or "")
    sphere = ctx.catalog.category(draft.sphere or "")
    body = draft.body_text
    preview = truncate_utf16(body, REVIEW_BODY_PREVIEW)
    if preview != body:
        rest = len(body) - len(preview)
        body = (
            preview
            + "… "
            + _("(and {count} more characters)").format(count=format_number(rest, ctx.locale))
        )
    files = ngettext("{count} file", "{count} files", len(draft.files)).format(
        count=format_number(len(draft.files), ctx.locale)
    )
    lines = [
        _("<b>Check your report before sending it.</b>"),
        "",
        _("<b>Region:</b> {value}").format(value=region.name(ctx.locale) if region else "—"),
        _("<b>Sphere:</b> {value}").format(value=sphere.name(ctx.locale) if sphere else "—"),
        _("<b>When:</b> {value}").format(value=occurred_label(draft.occurred)),
        _("<b>Organisation or place:</b> {value}").format(value=escape(draft.place or "—")),
        _("<b>What happened:</b>"),
        escape(body, quote=False),
        _("<b>Evidence:</b> {value}").format(value=files),
        _("<b>Questions from the service:</b> {value}").format(value=_contact_choice(draft)),
        "",
        false_report_warning(),
    ]
    return "\n".join(lines)


def _contact_choice(draft: Draft) -> str:
    if not draft.contact:
        return _("not allowed")
    if draft.silent:
        return _("allowed, messages without sound")
    return _("allowed, messages with sound")


def event_label(event: EventRow, catalog: Catalog, locale: str) -> str:
    """A history entry as the reporter reads it; nothing about who in the service acted."""
    if event.kind == "closed":
        resolution = resolution_labels().get(event.detail or "", "")
        return _("Closed. Result: {resolution}").format(resolution=resolution)
    if event.kind == "moved":
        target = catalog.region((event.detail or "").rpartition(">")[2])
        return _("Passed to the department of another region: {region}").format(
            region=target.name(locale) if target else "—"
        )
    labels = {
        "submitted": _("Report received"),
        "info_added": _("You added information"),
        "delivered": _("Sent to the department"),
        "accepted": _("Accepted for review"),
        "asked": _("The service asked you a question"),
        "answered": _("You answered the question"),
        "reopened": _("Reopened: the service is looking at it again"),
    }
    return labels.get(event.kind, event.kind)


def status(view: StatusView, ctx: ViewContext, deadlines: Deadlines) -> str:
    """What a reporter can recognise their case by (region, sphere), where it stands, by when
    the service must act on it next, and its history."""
    statuses = status_labels()
    sphere = ctx.catalog.category(view.category)
    lines = [
        _("<b>Report № {number} of {date}</b>").format(
            number=view.case_no, date=format_moment(view.created_at, ctx.zone, ctx.locale)
        ),
        _("<b>Region:</b> {value}").format(value=ctx.region_name(view.region)),
        _("<b>Sphere:</b> {value}").format(value=sphere.name(ctx.locale) if sphere else "—"),
        _("Status: <b>{status}</b>").format(status=statuses.get(view.status, view.status)),
    ]
    due = deadlines.at(view.status, view.created_at)
    if due is not None:
        label = (
            _("<b>To be accepted by:</b> {date}")
            if view.status in UNACCEPTED
            else _("<b>Answer due by:</b> {date}")
        )
        lines.append(
            label.format(date=format_date(due.astimezone(ctx.zone), "long", locale=ctx.locale))
        )
    if view.resolution:
        lines.append(
            _("Result: {resolution}").format(
                resolution=resolution_labels().get(view.resolution, view.resolution)
            )
        )
    lines += ["", _("<b>History</b>")]
    hidden = len(view.events) - HISTORY_SHOWN
    if hidden > 0:
        lines.append(
            _("… earlier entries: {count}").format(count=format_number(hidden, ctx.locale))
        )
    for event in view.events[-HISTORY_SHOWN:]:
        moment = format_moment(datetime.fromisoformat(event.created_at), ctx.zone, ctx.locale)
        lines.append(f"• {moment}: {event_label(event, ctx.catalog, ctx.locale)}")
    return "\n".join(lines)
