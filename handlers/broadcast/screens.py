"""The screens of writing a broadcast: a version asked for, the audience, the review."""

from __future__ import annotations

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.broadcasts import views as broadcast_views
from bot.broadcasts.compose import VERSION_STATES, BroadcastDraft, BroadcastForm
from bot.broadcasts.content import send_version
from bot.broadcasts.subscribers import SubscriberService
from bot.settings import SUPPORTED_LOCALES
from bot.ui.context import ViewContext
from bot.ui.keyboards import LANGUAGE_NAMES
from bot.ui.replies import present
from storage.subscribers import Audience


async def ask_version(
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


async def ask_audience(
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


async def review(
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
