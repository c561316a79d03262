"""Admins: /broadcast (write or pick a template, choose the audience, preview, send or schedule),
/broadcasts (the recent ones) and the pause / resume / cancel buttons under a progress message.

The router only lets ADMIN_IDS through; anyone else gets the ordinary unknown-command answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcasts import views as broadcast_views
from bot.broadcasts.content import MAX_TEXT, Content, Version, VersionError, send_version
from bot.broadcasts.service import (
    BroadcastService,
    MomentError,
    Request,
    check_moment,
    parse_moment,
)
from bot.broadcasts.subscribers import SubscriberService
from bot.broadcasts.templates import Template, template_text
from bot.reports.dialog import draft_step
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.ui.callbacks import ControlCB, DraftAction, DraftCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_moment, format_number
from bot.ui.keyboards import LANGUAGE_NAMES
from bot.ui.replies import notice, present, send
from handlers.filters import NOT_COMMAND, private_only
from storage.subscribers import Audience


class BroadcastForm(StatesGroup):
    choosing = State()
    kk = State()
    ru = State()
    audience = State()
    review = State()
    schedule = State()


VERSION_STATES = {"kk": BroadcastForm.kk, "ru": BroadcastForm.ru}
SKIP = "/skip"


def get_router(admin_ids: frozenset[int]) -> Router:
    router = private_only(Router(name="broadcast"))
    router.message.filter(F.from_user.id.in_(admin_ids))
    router.callback_query.filter(F.from_user.id.in_(admin_ids))

    @router.message(Command("broadcast"))
    async def start(
        message: Message, state: FSMContext, subscribers: SubscriberService, view: ViewContext
    ) -> None:
        if await draft_step(state) is not None:
            await message.answer(
                _("Finish or cancel your report first (/cancel), then start the broadcast.")
            )
            return
        await state.set_state(BroadcastForm.choosing)
        await state.set_data({"versions": {}})
        await message.answer(
            _(
                "📣 <b>New broadcast</b> to {count} active subscribers.\n"
                "Start from a ready text (you can edit it before sending) or write your own:"
            ).format(count=format_number(await subscribers.count(Audience()), view.locale)),
            reply_markup=broadcast_views.start_keyboard(),
        )

    @router.message(Command("cancel"), StateFilter(BroadcastForm))
    async def cancel_typed(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(_("The broadcast was not sent."))

    @router.callback_query(DraftCB.filter(F.action == DraftAction.CANCEL))
    async def cancel_pressed(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await present(query, _("The broadcast was not sent."))

    @router.callback_query(BroadcastForm.choosing, DraftCB.filter(F.action == DraftAction.TEMPLATE))
    async def use_template(
        query: CallbackQuery,
        callback_data: DraftCB,
        state: FSMContext,
        settings: Settings,
        subscribers: SubscriberService,
        i18n: I18n,
        view: ViewContext,
    ) -> None:
        if callback_data.arg not in set(Template):
            await notice(query, _("This button is no longer active."))
            return
        versions = {}
        for locale in SUPPORTED_LOCALES:
            with i18n.use_locale(locale):
                text = template_text(Template(callback_data.arg), settings.hotline)
            versions[locale] = Version(text).to_dict()
        await state.update_data(versions=versions)
        await _ask_audience(query, state, subscribers, view)

    @router.callback_query(BroadcastForm.choosing, DraftCB.filter(F.action == DraftAction.OWN))
    async def write_own(query: CallbackQuery, state: FSMContext) -> None:
        await _ask_version(query, state, "kk", editing=False)

    @router.callback_query(BroadcastForm.review, DraftCB.filter(F.action == DraftAction.EDIT))
    async def edit_version(query: CallbackQuery, callback_data: DraftCB, state: FSMContext) -> None:
        if callback_data.arg not in SUPPORTED_LOCALES:
            await notice(query, _("This button is no longer active."))
            return
        await _ask_version(query, state, callback_data.arg, editing=True)

    @router.message(BroadcastForm.kk, NOT_COMMAND | (F.text == SKIP))
    @router.message(BroadcastForm.ru, NOT_COMMAND | (F.text == SKIP))
    async def version_sent(
        message: Message,
        state: FSMContext,
        bot: Bot,
        subscribers: SubscriberService,
        view: ViewContext,
    ) -> None:
        locale = "kk" if await state.get_state() == BroadcastForm.kk.state else "ru"
        data = await state.get_data()
        versions = dict(data.get("versions", {}))
        if message.text == SKIP:
            versions.pop(locale, None)
        else:
            version = Version.from_message(message)
            if isinstance(version, VersionError):
                await message.answer(_version_error(version))
                return
            versions[locale] = version.to_dict()
        await state.update_data(versions=versions)
        if locale == "kk" and not data.get("editing"):
            await _ask_version(message, state, "ru", editing=False)
        elif not versions:
            await message.answer(_("A broadcast needs at least one of the two versions."))
            await _ask_version(message, state, "kk", editing=False)
        elif data.get("audience") is None:
            await _ask_audience(message, state, subscribers, view)
        else:
            await _review(message, state, bot, subscribers, view)

    @router.callback_query(
        DraftCB.filter(F.action == DraftAction.AUDIENCE),
        StateFilter(BroadcastForm.audience, BroadcastForm.review),
    )
    async def audience_chosen(
        query: CallbackQuery,
        callback_data: DraftCB,
        state: FSMContext,
        bot: Bot,
        subscribers: SubscriberService,
        view: ViewContext,
    ) -> None:
        if callback_data.arg == "?":
            await _ask_audience(query, state, subscribers, view)
            return
        audience = Audience.unpack(callback_data.arg)
        if (audience.region and view.catalog.region(audience.region) is None) or (
            audience.locale and audience.locale not in SUPPORTED_LOCALES
        ):
            await notice(query, _("This button is no longer active."))
            return
        await state.update_data(audience=audience.pack())
        await query.answer()
        await _review(query, state, bot, subscribers, view)

    @router.callback_query(BroadcastForm.review, DraftCB.filter(F.action == DraftAction.SEND))
    async def send_now(
        query: CallbackQuery,
        state: FSMContext,
        broadcasts: BroadcastService,
        settings: Settings,
        view: ViewContext,
    ) -> None:
        shown = query.message.message_id if query.message else None
        request = await _request(query, state, view, progress_message_id=shown)
        broadcast_id = await broadcasts.create(request)
        await state.clear()
        row = await broadcasts.get(broadcast_id)
        if row is not None:
            await present(
                query,
                broadcast_views.progress(
                    row, await broadcasts.tally(row), settings.broadcast_rate, view
                ),
                broadcast_views.control_keyboard(row),
            )

    @router.callback_query(BroadcastForm.review, DraftCB.filter(F.action == DraftAction.SCHEDULE))
    async def ask_moment(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        await state.set_state(BroadcastForm.schedule)
        now = datetime.now(UTC)
        await present(
            query,
            _(
                "When should it go out? Choose below, or send the date and time ({zone}), for "
                "example <code>{example}</code>."
            ).format(zone=view.zone, example=broadcast_views.schedule_example(now, view.zone)),
            broadcast_views.schedule_keyboard(now, view),
        )

    @router.message(BroadcastForm.schedule, F.text, NOT_COMMAND)
    async def moment_typed(
        message: Message, state: FSMContext, broadcasts: BroadcastService, view: ViewContext
    ) -> None:
        now = datetime.now(UTC)
        await _schedule(
            message, state, broadcasts, view, parse_moment(message.text or "", view.zone, now)
        )

    @router.callback_query(BroadcastForm.schedule, DraftCB.filter(F.action == DraftAction.AT))
    async def moment_chosen(
        query: CallbackQuery,
        callback_data: DraftCB,
        state: FSMContext,
        broadcasts: BroadcastService,
        view: ViewContext,
    ) -> None:
        if not callback_data.arg.isdigit():
            await notice(query, _("This button is no longer active."))
            return
        await query.answer()
        moment = datetime.fromtimestamp(int(callback_data.arg), view.zone)
        await _schedule(query, state, broadcasts, view, check_moment(moment, datetime.now(UTC)))

    @router.message(Command("broadcasts"))
    async def recent(message: Message, broadcasts: BroadcastService, view: ViewContext) -> None:
        rows = await broadcasts.recent()
        tallied = [(row, await broadcasts.tally(row)) for row in rows]
        await message.answer(
            broadcast_views.recent_text(tallied, view),
            reply_markup=broadcast_views.recent_keyboard(rows),
        )

    @router.callback_query(ControlCB.filter())
    async def control(
        query: CallbackQuery,
        callback_data: ControlCB,
        broadcasts: BroadcastService,
        settings: Settings,
        view: ViewContext,
    ) -> None:
        row = await broadcasts.control(callback_data.broadcast, callback_data.action)
        if row is None:
            await notice(query, _("This button is no longer active."))
            return
        await present(
            query,
            broadcast_views.progress(
                row, await broadcasts.tally(row), settings.broadcast_rate, view
            ),
            broadcast_views.control_keyboard(row),
        )

    return router


async def _ask_version(
    event: Message | CallbackQuery, state: FSMContext, locale: str, *, editing: bool
) -> None:
    await state.set_state(VERSION_STATES[locale])
    await state.update_data(editing=editing)
    await present(
        event,
        _(
            "Send the <b>{language}</b> version: a text, or one photo or document with a "
            "caption. Bold, italics and links are kept as you format them.\n"
            "/skip: no version in this language (its readers get the other one)."
        ).format(language=LANGUAGE_NAMES[locale]),
    )


async def _ask_audience(
    event: Message | CallbackQuery,
    state: FSMContext,
    subscribers: SubscriberService,
    view: ViewContext,
) -> None:
    await state.set_state(BroadcastForm.audience)
    await present(
        event,
        _("Who should receive it? Active subscribers in each audience:"),
        broadcast_views.audience_keyboard(
            await subscribers.count(Audience()),
            await subscribers.count_by("locale"),
            await subscribers.count_by("region"),
            view,
        ),
    )


async def _review(
    event: Message | CallbackQuery,
    state: FSMContext,
    bot: Bot,
    subscribers: SubscriberService,
    view: ViewContext,
) -> None:
    """Each version exactly as its readers will get it, then the summary and the choices."""
    await state.set_state(BroadcastForm.review)
    data = await state.get_data()
    content = Content({k: Version.from_dict(v) for k, v in data["versions"].items()})
    audience = Audience.unpack(data["audience"])
    chat_id = event.chat.id if isinstance(event, Message) else event.from_user.id
    for locale, version in content.versions.items():
        await bot.send_message(
            chat_id,
            _("Preview, {language}:").format(language=LANGUAGE_NAMES[locale]),
        )
        await send_version(bot, chat_id, version)
    missing = [code for code in SUPPORTED_LOCALES if code not in content.versions]
    await bot.send_message(
        chat_id,
        broadcast_views.review_text(audience, await subscribers.count(audience), missing, view),
        reply_markup=broadcast_views.review_keyboard(),
    )


async def _request(
    event: Message | CallbackQuery,
    state: FSMContext,
    view: ViewContext,
    *,
    at: float | None = None,
    progress_message_id: int | None = None,
) -> Request:
    data = await state.get_data()
    user = event.from_user
    return Request(
        content=Content({k: Version.from_dict(v) for k, v in data["versions"].items()}),
        audience=Audience.unpack(data["audience"]),
        admin_id=user.id if user else 0,
        admin_chat_id=event.chat.id if isinstance(event, Message) else (user.id if user else 0),
        admin_locale=view.locale,
        at=at,
        progress_message_id=progress_message_id,
    )


async def _schedule(
    event: Message | CallbackQuery,
    state: FSMContext,
    broadcasts: BroadcastService,
    view: ViewContext,
    moment: datetime | MomentError,
) -> None:
    """Schedule for ``moment``; a moment refused is explained, with the choices again."""
    if isinstance(moment, MomentError):
        now = datetime.now(UTC)
        await send(
            event,
            _moment_error(moment, broadcast_views.schedule_example(now, view.zone)),
            broadcast_views.schedule_keyboard(now, view),
        )
        return
    request = await _request(event, state, view, at=moment.timestamp())
    broadcast_id = await broadcasts.create(request)
    await state.clear()
    await send(
        event,
        _(
            "🕒 Broadcast № {number} is scheduled for {when}. /broadcasts lists it; you can "
            "cancel it there."
        ).format(number=broadcast_id, when=format_moment(moment, view.zone, view.locale)),
    )


def _version_error(error: VersionError) -> str:
    return {
        VersionError.UNSUPPORTED: _("Send a text, a photo or a document, please."),
        VersionError.ALBUM: _("Only one photo or document can go with a broadcast."),
        VersionError.CAPTION_TOO_LONG: _(
            "A caption under a photo or document can be at most 1,024 characters. Shorten it, "
            "or send the text alone."
        ),
        VersionError.TEXT_TOO_LONG: _(
            "Please split it: one message can hold at most {limit} characters."
        ).format(limit=MAX_TEXT),
    }[error]


def _moment_error(error: MomentError, example: str) -> str:
    return {
        MomentError.UNREADABLE: _(
            "I could not read that. Send the date and time like <code>{example}</code>, or "
            "choose below."
        ).format(example=example),
        MomentError.PAST: _("That moment has already passed. Send a later one."),
        MomentError.TOO_FAR: _("That is too far ahead: a broadcast can be scheduled up to a year."),
    }[error]
