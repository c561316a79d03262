"""/help and /privacy: books of pages, one section a page, turned in place."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.settings import Settings
from bot.ui import keyboards, texts
from bot.ui.callbacks import Action, ActionCB, PageCB
from bot.ui.replies import notice, present, send


def get_router() -> Router:
    router = Router(name="start.pages")

    @router.message(Command("help"))
    @router.callback_query(ActionCB.filter(F.action == Action.HELP))
    async def show_help(event: Message | CallbackQuery, settings: Settings) -> None:
        await _inform(event, texts.HELP, _book(texts.HELP, event, settings))

    @router.message(Command("privacy"))
    @router.callback_query(ActionCB.filter(F.action == Action.PRIVACY))
    async def show_privacy(event: Message | CallbackQuery, settings: Settings) -> None:
        await _inform(event, texts.PRIVACY, _book(texts.PRIVACY, event, settings))

    @router.callback_query(PageCB.filter())
    async def turn_page(query: CallbackQuery, callback_data: PageCB, settings: Settings) -> None:
        pages = _book(callback_data.book, query, settings)
        if callback_data.page not in pages:
            await notice(query, _("This button is no longer active."))
            return
        await present(query, *_page(callback_data.book, pages, callback_data.page))

    return router


Pages = dict[str, tuple[str, str]]


def _book(book: str, event: Message | CallbackQuery, settings: Settings) -> Pages:
    if book == texts.PRIVACY:
        return texts.privacy_pages(settings.draft_ttl_hours)
    if book == texts.HELP:
        admin = event.from_user is not None and event.from_user.id in settings.admin_ids
        return texts.help_pages(settings.hotline, admin=admin)
    return {}


def _page(book: str, pages: Pages, page: str) -> tuple[str, InlineKeyboardMarkup]:
    labels = {key: label for key, (label, _text) in pages.items()}
    return pages[page][1], keyboards.pages(book, labels, page)


async def _inform(event: Message | CallbackQuery, book: str, pages: Pages) -> None:
    """The first page of a book below the conversation, leaving the screen it was asked from;
    its buttons turn to the other sections in place."""
    if isinstance(event, CallbackQuery):
        await event.answer()
    await send(event, *_page(book, pages, next(iter(pages))))
