"""Input the step does not expect, and a story typed outside the dialog."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.core import receipt
from bot.reports import keyboards
from bot.reports.dialog import show_step
from bot.reports.draft import Draft, ReportForm, step_by_name
from bot.ui.callbacks import Action, ActionCB
from bot.ui.context import ViewContext
from bot.ui.keyboards import main_menu
from bot.ui.replies import notice, present
from handlers.filters import NOT_COMMAND, TYPED_TEXT
from handlers.report.shared import files_expected, shorter, too_long

BUTTON_STEPS = (
    ReportForm.region,
    ReportForm.sphere,
    ReportForm.when,
    ReportForm.contact,
    ReportForm.review,
)


def get_router() -> Router:
    router = Router(name="report.unexpected")

    @router.message(StateFilter(ReportForm.place, ReportForm.body), NOT_COMMAND)
    async def text_expected(message: Message) -> None:
        await message.answer(_("This step expects text. Please write it in a message."))

    @router.message(ReportForm.evidence, NOT_COMMAND)
    async def file_expected(message: Message, draft: Draft, view: ViewContext) -> None:
        await files_expected(message, draft, view)

    @router.message(StateFilter(None), TYPED_TEXT)
    async def idle_text(
        message: Message, state: FSMContext, draft: Draft, view: ViewContext, event_update: Update
    ) -> None:
        """A story typed outside the dialog is kept (sealed, like a draft) and offered to one."""
        text = (message.text or "").strip()
        if not text or receipt.parse(text):
            raise SkipHandler  # a receipt code is never kept: the catch-all answers it
        if not draft.is_new(event_update.update_id):
            return
        if not draft.fits("\n\n".join((*draft.pending, text))):
            await message.answer(too_long(draft, view.locale) + " " + shorter(draft))
            return
        draft.pending.append(text)
        await state.set_data(draft.to_data())
        await message.answer(
            _(
                "Start a report about corruption with this text? (To check a report, send "
                "/status; for help, /help.)"
            ),
            reply_markup=keyboards.start_with_text(),
        )

    @router.callback_query(StateFilter(None), ActionCB.filter(F.action == Action.START_WITH_TEXT))
    async def start_with_text(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        if not draft.pending:
            await notice(query, _("This button is no longer active."))
            return
        draft.take_pending()
        await show_step(query, state, draft, ReportForm.region, view)

    @router.callback_query(StateFilter(None), ActionCB.filter(F.action == Action.DROP_TEXT))
    async def drop_idle_text(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await present(
            query,
            _("The text was not kept. What would you like to do?"),
            main_menu(has_draft=False),
        )

    @router.message(StateFilter(*BUTTON_STEPS), NOT_COMMAND)
    async def buttons_expected(
        message: Message, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        step = step_by_name(await state.get_state())
        await message.answer(_("Please choose one of the buttons."))
        if step is not None:
            await show_step(message, state, draft, step, view)

    return router
