"""The versions in each language and the audience, each leading to the review."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.broadcasts.compose import BroadcastDraft, BroadcastForm
from bot.broadcasts.content import MAX_TEXT, Version, VersionProblem
from bot.broadcasts.subscribers import SubscriberService
from bot.settings import SUPPORTED_LOCALES
from bot.ui.callbacks import ComposeAction, ComposeCB
from bot.ui.context import ViewContext
from bot.ui.replies import notice
from handlers.broadcast.screens import ask_audience, ask_version, review
from handlers.filters import NOT_COMMAND
from storage.subscribers import Audience

SKIP = "/skip"


def get_router() -> Router:
    router = Router(name="broadcast.versions")

    @router.callback_query(BroadcastForm.review, ComposeCB.filter(F.action == ComposeAction.EDIT))
    async def edit_version(
        query: CallbackQuery, callback_data: ComposeCB, state: FSMContext
    ) -> None:
        if callback_data.arg not in SUPPORTED_LOCALES:
            await notice(query, _("This button is no longer active."))
            return
        draft = BroadcastDraft.from_data(await state.get_data())
        await ask_version(query, state, draft, callback_data.arg, editing=True)

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
            if isinstance(version, VersionProblem):
                await message.answer(_version_error(version))
                return
            draft.versions[locale] = version.to_dict()
        await state.set_data(draft.to_data())
        if locale == "kk" and not draft.editing:
            await ask_version(message, state, draft, "ru")
        elif not draft.versions:
            await message.answer(_("A broadcast needs at least one of the two versions."))
            await ask_version(message, state, draft, "kk")
        elif draft.audience is None:
            await ask_audience(message, state, subscribers, view)
        else:
            await review(message, state, bot, subscribers, view)

    @router.callback_query(
        ComposeCB.filter(F.action == ComposeAction.AUDIENCE),
        StateFilter(BroadcastForm.audience, BroadcastForm.review),
    )
    async def audience_chosen(
        query: CallbackQuery,
        callback_data: ComposeCB,
        state: FSMContext,
        bot: Bot,
        subscribers: SubscriberService,
        view: ViewContext,
    ) -> None:
        if callback_data.arg == "?":
            await ask_audience(query, state, subscribers, view)
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
        await review(query, state, bot, subscribers, view)

    return router


def _version_error(error: VersionProblem) -> str:
    return {
        VersionProblem.UNSUPPORTED: _("Send a text, a photo or a document, please."),
        VersionProblem.ALBUM: _("Only one photo or document can go with a broadcast."),
        VersionProblem.CAPTION_TOO_LONG: _(
            "A caption under a photo or document can be at most 1,024 characters. Shorten it, "
            "or send the text alone."
        ),
        VersionProblem.TEXT_TOO_LONG: _(
            "Please split it: one message can hold at most {limit} characters."
        ).format(limit=MAX_TEXT),
    }[error]
