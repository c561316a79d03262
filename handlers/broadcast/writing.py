"""Writing a broadcast: a template or the admin's own versions, then the audience and the
review with a preview of each version."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcasts import views as broadcast_views
from bot.broadcasts.compose import VERSION_STATES, BroadcastDraft, BroadcastForm
from bot.broadcasts.content import MAX_TEXT, Version, VersionError, send_version
from bot.broadcasts.subscribers import SubscriberService
from bot.broadcasts.templates import Template, template_text
from bot.reports.dialog import draft_step
from bot.reports.views import ViewContext
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.ui.callbacks import DraftAction, DraftCB
from bot.ui.formatting import format_number
from bot.ui.keyboards import LANGUAGE_NAMES
from bot.ui.replies import notice, present
from handlers.filters import NOT_COMMAND
from storage.subscribers import Audience

SKIP = "/skip"


def get_router() -> Router:
    router = Router(name="broadcast.writing")

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
        await state.set_data(BroadcastDraft().to_data())
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
        draft = BroadcastDraft.from_data(await state.get_data())
        for locale in SUPPORTED_LOCALES:
            with i18n.use_locale(locale):
                text = template_text(Template(callback_data.arg), settings.hotline)
            draft.versions[locale] = Version(text).to_dict()
        await state.set_data(draft.to_data())
        await _ask_audience(query, state, subscribers, view)

    @router.callback_query(BroadcastForm.choosing, DraftCB.filter(F.action == DraftAction.OWN))
    async def write_own(query: CallbackQuery, state: FSMContext) -> None:
        await _ask_version(query, state, BroadcastDraft.from_data(await state.get_data()), "kk")

    @router.callback_query(BroadcastForm.review, DraftCB.filter(F.action == DraftAction.EDIT))
    async def edit_version(query: CallbackQuery, callback_data: DraftCB, state: FSMContext) -> None:
        if callback_data.arg not in SUPPORTED_LOCALES:
            await notice(query, _("This button is no longer active."))
            return
        draft = BroadcastDraft.from_data(await state.get_data())
        await _ask_version(query, state, draft, callback_data.arg, editing=True)

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
        draft = BroadcastDraft.from_data(await state.get_data())
        if message.text == SKIP:
            draft.versions.pop(locale, None)
        else:
            version = Version.from_message(message)
            if isinstance(version, VersionError):
                await message.answer(_version_error(version))
                return
            draft.versions[locale] = version.to_dict()
        await state.set_data(draft.to_data())
        if locale == "kk" and not draft.editing:
            await _ask_version(message, state, draft, "ru")
        elif not draft.versions:
            await message.answer(_("A broadcast needs at least one of the two versions."))
            await _ask_version(message, state, draft, "kk")
        elif draft.audience is None:
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
        draft = BroadcastDraft.from_data(await state.get_data())
        draft.audience = audience.pack()
        await state.set_data(draft.to_data())
        await query.answer()
        await _review(query, state, bot, subscribers, view)

    return router


async def _ask_version(
    event: Message | CallbackQuery,
    state: FSMContext,
    draft: BroadcastDraft,
    locale: str,
    *,
    editing: bool = False,
) -> None:
    await state.set_state(VERSION_STATES[locale])
    draft.editing = editing
    await state.set_data(draft.to_data())
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
    draft = BroadcastDraft.from_data(await state.get_data())
    content = draft.content()
    audience = draft.chosen_audience()
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
