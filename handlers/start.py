"""/start (with region deep links), /help, /privacy, /language and /cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.broadcasts.subscribers import SubscriberService
from bot.departments.service import DepartmentService
from bot.reports.checks import StatusChecks
from bot.reports.dialog import begin, draft_step, resume_or_clear, show_step
from bot.reports.draft import Draft, step_by_name
from bot.reports.keyboards import confirm_cancel
from bot.reports.service import ReportService
from bot.settings import Settings
from bot.telegram.languages import LanguageService
from bot.ui import keyboards, texts
from bot.ui.callbacks import Action, ActionCB, LangCB, PageCB
from bot.ui.context import ViewContext
from bot.ui.replies import notice, present, send

DEEP_LINK_REGION = "r_"


def get_router() -> Router:
    router = Router(name="start")

    @router.message(CommandStart())
    async def start(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        settings: Settings,
        view: ViewContext,
        subscribers: SubscriberService,
    ) -> None:
        # The welcome once: join() is true only for a chat new to the bot (or back after
        # blocking it); a returning user gets straight to what they came for.
        if await subscribers.join(message.chat.id, view.locale):
            await message.answer(
                texts.welcome(settings.hotline), reply_markup=keyboards.more_privacy()
            )
        region = _deep_link_region(command.args, view)
        if region is not None:
            await begin(message, state, view, region=region)
            return
        await _menu(message, state)

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

    @router.message(Command("language"))
    async def language(message: Message) -> None:
        await message.answer(
            _("Choose the language of the bot:"), reply_markup=keyboards.language_choice()
        )

    @router.callback_query(LangCB.filter())
    async def choose_language(
        query: CallbackQuery,
        callback_data: LangCB,
        state: FSMContext,
        user_key: bytes,
        languages: LanguageService,
        subscribers: SubscriberService,
        departments: DepartmentService,
        i18n: I18n,
    ) -> None:
        if not await languages.choose(user_key, callback_data.code):
            await notice(query, _("This button is no longer active."))
            return
        await subscribers.set_locale(query.from_user.id, callback_data.code)
        # An officer's private chat linked as a department chat reads what they read.
        await departments.set_chat_locale(query.from_user.id, callback_data.code)
        with i18n.use_locale(callback_data.code):
            await present(query, _("Language changed: the bot now speaks to you in this language."))
            await _menu(query, state)

    @router.message(Command("cancel"))
    @router.callback_query(ActionCB.filter(F.action == Action.CANCEL))
    async def cancel(
        event: Message | CallbackQuery,
        state: FSMContext,
        reports: ReportService,
        view: ViewContext,
        checks: StatusChecks,
        user_key: bytes,
    ) -> None:
        """Cancel what is in front of the user: a status check returns to the report under it."""
        checks.end(user_key)
        current = await state.get_state()
        if current is None:
            await state.clear()  # a text kept aside for a report that was never started
            await notice(event, _("There is nothing to cancel."))
            return
        if step_by_name(current) is None:
            await present(event, _("Done. You have left the report check."))
            await resume_or_clear(event, state, view)
            return
        if Draft.from_data(await state.get_data()).has_content:
            await present(
                event,
                _("Delete this draft? What you have entered will be lost."),
                confirm_cancel(),
            )
            return
        await _discard(event, state, reports)

    @router.callback_query(ActionCB.filter(F.action == Action.CANCEL_YES))
    async def cancel_confirmed(
        query: CallbackQuery, state: FSMContext, reports: ReportService
    ) -> None:
        if step_by_name(await state.get_state()) is None:
            await notice(query, _("This button is no longer active."))
            return
        await _discard(query, state, reports)

    @router.callback_query(ActionCB.filter(F.action == Action.CANCEL_NO))
    async def cancel_withdrawn(query: CallbackQuery, state: FSMContext, view: ViewContext) -> None:
        step = step_by_name(await state.get_state())
        if step is None:
            await notice(query, _("This button is no longer active."))
            return
        await show_step(query, state, Draft.from_data(await state.get_data()), step, view)

    return router


async def _discard(
    event: Message | CallbackQuery, state: FSMContext, reports: ReportService
) -> None:
    await reports.discard_draft(Draft.from_data(await state.get_data()).draft_id)
    await state.clear()
    await present(event, _("Cancelled. Nothing was saved. To start again, send /report."))


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


async def _menu(event: Message | CallbackQuery, state: FSMContext) -> None:
    has_draft = await draft_step(state) is not None
    await send(event, _("What would you like to do?"), keyboards.main_menu(has_draft=has_draft))


def _deep_link_region(args: str | None, view: ViewContext) -> str | None:
    if not args or not args.startswith(DEEP_LINK_REGION):
        return None
    code = args.removeprefix(DEEP_LINK_REGION)
    return code if view.catalog.region(code) else None
