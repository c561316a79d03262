"""What broadcasts look like: the admins' draft keyboards, progress and list; the subscribers' news
regions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date, format_time, format_timedelta

from bot.broadcasts.service import Tally
from bot.broadcasts.templates import template_names
from bot.core.catalog import Catalog
from bot.ui.callbacks import ComposeAction, ComposeCB, Control, ControlCB, NewsRegionCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment, format_number
from bot.ui.keyboards import LANGUAGE_NAMES, pairs
from storage.broadcasts import BroadcastRow, BroadcastStatus
from storage.subscribers import Audience

BAR_CELLS = 10


def _draft_button(text: str, action: ComposeAction, arg: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ComposeCB(action=action, arg=arg).pack())


def _cancel_row() -> list[InlineKeyboardButton]:
    return [_draft_button(_("✖️ Cancel"), ComposeAction.CANCEL)]


def start_keyboard() -> InlineKeyboardMarkup:
    rows = [
        [_draft_button(name, ComposeAction.TEMPLATE, template)]
        for template, name in template_names().items()
    ]
    rows.append([_draft_button(_("✍️ Write my own"), ComposeAction.OWN)])
    rows.append(_cancel_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


def audience_keyboard(
    everyone: int, by_locale: dict[str, int], by_region: dict[str, int], ctx: ViewContext
) -> InlineKeyboardMarkup:
    """Every audience with its number of subscribers, two a row where both labels fit; regions
    without any are left out."""
    languages = [
        _draft_button(
            f"{name} ({format_number(by_locale.get(code, 0), ctx.locale)})",
            ComposeAction.AUDIENCE,
            Audience(locale=code).pack(),
        )
        for code, name in LANGUAGE_NAMES.items()
    ]
    regions = [
        _draft_button(
            f"{entry.label(ctx.locale)} ({format_number(count, ctx.locale)})",
            ComposeAction.AUDIENCE,
            Audience(region=entry.code).pack(),
        )
        for entry in ctx.catalog.regions
        if (count := by_region.get(entry.code, 0))
    ]
    everyone_button = _draft_button(
        _("👥 Everyone ({count})").format(count=format_number(everyone, ctx.locale)),
        ComposeAction.AUDIENCE,
        Audience().pack(),
    )
    return InlineKeyboardMarkup(
        inline_keyboard=[[everyone_button], *pairs(languages), *pairs(regions), _cancel_row()]
    )


def review_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _draft_button(_("🚀 Send now"), ComposeAction.SEND),
                _draft_button(_("🕒 Schedule"), ComposeAction.SCHEDULE),
            ],
            [
                _draft_button(_("✏️ Kazakh text"), ComposeAction.EDIT, "kk"),
                _draft_button(_("✏️ Russian text"), ComposeAction.EDIT, "ru"),
            ],
            [_draft_button(_("👥 Audience"), ComposeAction.AUDIENCE, "?")],
            _cancel_row(),
        ]
    )


def schedule_choices(now: datetime, zone: tzinfo) -> list[datetime]:
    """Tomorrow at 10:00 and the next Monday at 09:00, in ``zone``."""
    local = now.astimezone(zone)
    tomorrow = local.date() + timedelta(days=1)
    monday = local.date() + timedelta(days=7 - local.weekday())
    return [
        datetime.combine(tomorrow, time(10, 0), tzinfo=zone),
        datetime.combine(monday, time(9, 0), tzinfo=zone),
    ]


def schedule_example(now: datetime, zone: tzinfo) -> str:
    """A moment ahead, written the way the admin is asked to write one."""
    return schedule_choices(now, zone)[0].strftime("%d.%m.%Y %H:%M")


def schedule_keyboard(now: datetime, ctx: ViewContext) -> InlineKeyboardMarkup:
    """One tap schedules: tomorrow 10:00, or the next Monday 09:00 (named with its date)."""
    tomorrow, monday = schedule_choices(now, ctx.zone)
    labels = [
        _("🕒 Tomorrow, {time}").format(time=format_time(tomorrow, "short", locale=ctx.locale)),
        "🕒 {day}, {time}".format(
            day=format_date(monday, "EEEE, d MMM", locale=ctx.locale).capitalize(),
            time=format_time(monday, "short", locale=ctx.locale),
        ),
    ]
    rows = [
        [_draft_button(label, ComposeAction.AT, str(int(moment.timestamp())))]
        for label, moment in zip(labels, (tomorrow, monday), strict=True)
    ]
    rows.append(_cancel_row())
    return InlineKeyboardMarkup(inline_keyboard=rows)


def audience_name(audience: Audience, ctx: ViewContext) -> str:
    if audience.region:
        entry = ctx.catalog.region(audience.region)
        return escape(entry.name(ctx.locale) if entry else audience.region)
    if audience.locale:
        return _("subscribers who read {language}").format(
            language=LANGUAGE_NAMES.get(audience.locale, audience.locale)
        )
    return _("all subscribers")


def review_text(audience: Audience, count: int, missing: list[str], ctx: ViewContext) -> str:
    lines = [
        _("<b>Check the broadcast above</b>: each subscriber gets the version in their language."),
        _("Audience: {audience}, {count} subscribers.").format(
            audience=audience_name(audience, ctx), count=format_number(count, ctx.locale)
        ),
    ]
    lines += [
        _("There is no {language} version: those subscribers get the other one.").format(
            language=LANGUAGE_NAMES[code]
        )
        for code in missing
    ]
    lines.append(_("Send it now, or schedule it?"))
    return "\n".join(lines)


def progress(row: BroadcastRow, tally: Tally, rate: float, ctx: ViewContext) -> str:
    audience = audience_name(Audience.unpack(row.audience), ctx)
    lines = [
        _("📣 <b>Broadcast № {number}</b> · {audience}").format(number=row.id, audience=audience),
        status_line(row, ctx),
    ]
    if row.status is BroadcastStatus.SENDING and row.started_at is None:
        lines.append(_("Counting the recipients…"))
    elif row.status is not BroadcastStatus.SCHEDULED:
        done = tally.total - tally.remaining
        share = done / tally.total if tally.total else float(row.status is BroadcastStatus.DONE)
        filled = round(share * BAR_CELLS)
        lines.append(f"{'▰' * filled}{'▱' * (BAR_CELLS - filled)} {round(share * 100)}%")
        number = ctx.locale
        lines.append(
            _("Sent {sent} · blocked {blocked} · failed {failed} · remaining {remaining}").format(
                sent=format_number(tally.sent, number),
                blocked=format_number(tally.blocked, number),
                failed=format_number(tally.failed, number),
                remaining=format_number(tally.remaining, number),
            )
        )
        if tally.unconfirmed:
            lines.append(
                _("Not confirmed, as the bot restarted while sending: {count}").format(
                    count=format_number(tally.unconfirmed, number)
                )
            )
        if row.status is BroadcastStatus.SENDING and tally.remaining:
            left = format_timedelta(
                timedelta(seconds=max(1.0, tally.remaining / rate)),
                locale=ctx.locale,
                threshold=1.1,
            )
            lines.append(_("Time left: about {time}").format(time=left))
    return "\n".join(lines)


def status_line(row: BroadcastRow, ctx: ViewContext) -> str:
    if row.status is BroadcastStatus.SCHEDULED:
        when = format_moment(datetime.fromtimestamp(row.scheduled_at, UTC), ctx.zone, ctx.locale)
        return _("🕒 Scheduled for {when}").format(when=when)
    return {
        BroadcastStatus.SENDING: _("⏳ Sending…"),
        BroadcastStatus.PAUSED: _("⏸ Paused"),
        BroadcastStatus.CANCELLED: _("✖️ Cancelled"),
        BroadcastStatus.DONE: _("✅ Finished"),
    }[row.status]


def controls(row: BroadcastRow) -> dict[Control, str]:
    """What a broadcast in its state may be told to do, with the words for each."""
    actions = {
        BroadcastStatus.SCHEDULED: (Control.CANCEL,),
        BroadcastStatus.SENDING: (Control.PAUSE, Control.CANCEL),
        BroadcastStatus.PAUSED: (Control.RESUME, Control.CANCEL),
    }.get(row.status, ())
    labels = {
        Control.PAUSE: _("⏸ Pause"),
        Control.RESUME: _("▶️ Resume"),
        Control.CANCEL: _("✖️ Cancel the broadcast"),
    }
    return {action: labels[action] for action in actions}


def control_keyboard(row: BroadcastRow) -> InlineKeyboardMarkup | None:
    offered = controls(row)
    if not offered:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=label,
                    callback_data=ControlCB(action=action, broadcast=row.id).pack(),
                )
                for action, label in offered.items()
            ]
        ]
    )


def recent_text(rows: list[tuple[BroadcastRow, Tally]], ctx: ViewContext) -> str:
    if not rows:
        return _("No broadcasts yet. Start one with /broadcast.")
    lines = [_("<b>Recent broadcasts</b>")]
    for row, tally in rows:
        created = format_moment(datetime.fromisoformat(row.created_at), ctx.zone, ctx.locale)
        entry = [
            _("№ {number}, {created}: {audience}").format(
                number=row.id,
                created=created,
                audience=audience_name(Audience.unpack(row.audience), ctx),
            ),
            status_line(row, ctx),
        ]
        if row.status is not BroadcastStatus.SCHEDULED:
            entry.append(
                _("Sent {sent} · blocked {blocked} · failed {failed}").format(
                    sent=format_number(tally.sent, ctx.locale),
                    blocked=format_number(tally.blocked, ctx.locale),
                    failed=format_number(tally.failed + tally.unconfirmed, ctx.locale),
                )
            )
        lines.append("\n".join(entry))
    return "\n\n".join(lines)


def recent_keyboard(rows: list[BroadcastRow]) -> InlineKeyboardMarkup | None:
    """A cancel button for each broadcast that has not finished."""
    buttons = [
        [
            InlineKeyboardButton(
                text=_("✖️ Cancel № {number}").format(number=row.id),
                callback_data=ControlCB(action=Control.CANCEL, broadcast=row.id).pack(),
            )
        ]
        for row in rows
        if control_keyboard(row) is not None
    ]
    return InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None


NO_REGION = "-"


def news_regions(catalog: Catalog, locale: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=entry.label(locale), callback_data=NewsRegionCB(code=entry.code).pack()
        )
        for entry in catalog.regions_by_use
    ]
    whole_country = InlineKeyboardButton(
        text=_("🇰🇿 Only news for the whole country"),
        callback_data=NewsRegionCB(code=NO_REGION).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[*pairs(buttons), [whole_country]])
