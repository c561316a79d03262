"""Starting a broadcast: from a template or from the admin's own versions; /cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcasts import views as broadcast_views
from bot.broadcasts.compose import BroadcastDraft, BroadcastForm
from bot.broadcasts.content import Version
from bot.broadcasts.subscribers import SubscriberService
from bot.broadcasts.templates import Template, template_text
from bot.reports.dialog import draft_step
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.ui.callbacks import ComposeAction, ComposeCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number
from bot.ui.replies import notice, present
from handlers.broadcast.screens import ask_audience, ask_version
from storage.subscribers import Audience


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

    @router.callback_query(ComposeCB.filter(F.action == ComposeAction.CANCEL))
    async def cancel_pressed(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await present(query, _("The broadcast was not sent."))

    @router.callback_query(
        BroadcastForm.choosing, ComposeCB.filter(F.action == ComposeAction.TEMPLATE)
    )
    async def use_template(
        query: CallbackQuery,
        callback_data: ComposeCB,
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
        await ask_audience(query, state, subscribers, view)

    @router.callback_query(BroadcastForm.choosing, ComposeCB.filter(F.action == ComposeAction.OWN))
    async def write_own(query: CallbackQuery, state: FSMContext) -> None:
        await ask_version(query, state, BroadcastDraft.from_data(await state.get_data()), "kk")

    return router
