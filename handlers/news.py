"""/news: subscribers turn awareness news on and off, and choose a region for local news."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.broadcasts.subscribers import SubscriberService
from bot.broadcasts.views import NO_REGION, news_regions
from bot.ui.callbacks import NewsRegionCB
from bot.ui.context import ViewContext
from bot.ui.replies import notice, present


def get_router() -> Router:
    router = Router(name="news")

    @router.message(Command("news"))
    async def toggle(message: Message, subscribers: SubscriberService, view: ViewContext) -> None:
        if not await subscribers.toggle(message.chat.id, view.locale):
            await message.answer(
                _("🔕 News is off: the bot will not send you news. Send /news to turn it back on.")
            )
            return
        await message.answer(
            _(
                "🔔 News is on: now and then the bot will send you short messages from the "
                "anti-corruption service. Send /news to turn it off.\n\n"
                "You can also receive the news of your region. Choose it:"
            ),
            reply_markup=news_regions(view.catalog, view.locale),
        )

    @router.callback_query(NewsRegionCB.filter())
    async def choose_region(
        query: CallbackQuery,
        callback_data: NewsRegionCB,
        subscribers: SubscriberService,
        view: ViewContext,
    ) -> None:
        entry = view.catalog.region(callback_data.code)
        if entry is None and callback_data.code != NO_REGION:
            await notice(query, _("This button is no longer active."))
            return
        if not await subscribers.set_region(query.from_user.id, entry.code if entry else None):
            await notice(query, _("Turn news on first: send /news."))
            return
        await present(
            query,
            _("Done: you will also receive the news of {region}.").format(
                region=entry.name(view.locale)
            )
            if entry
            else _("Done: you will receive the news for the whole country only."),
        )

    return router
