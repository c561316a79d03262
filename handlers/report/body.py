"""The description of what happened, sent in one or more parts."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.reports import keyboards
from bot.reports.dialog import show_step
from bot.reports.draft import MIN_BODY_CHARS, Draft, ReportForm
from bot.reports.views import body_progress, button_hint
from bot.ui.callbacks import Action, ActionCB
from bot.ui.context import ViewContext
from bot.ui.formatting import format_number
from bot.ui.replies import notice
from handlers.filters import TYPED_TEXT
from handlers.report.shared import advance, shorter, too_long


def get_router() -> Router:
    router = Router(name="report.body")

    @router.message(ReportForm.body, TYPED_TEXT)
    async def body_part(
        message: Message, state: FSMContext, draft: Draft, view: ViewContext, event_update: Update
    ) -> None:
        text = (message.text or "").strip()
        if not draft.is_new(event_update.update_id):
            return
        if not draft.fits(text):
            await message.answer(
                too_long(draft, view.locale) + " " + shorter(draft),
                reply_markup=keyboards.body(has_text=bool(draft.body)),
            )
            return
        if not text:
            return
        draft.body.append(text)
        await state.set_data(draft.to_data())
        await message.answer(
            body_progress(draft, view.locale)
            + "\n"
            + button_hint(_("Send more, or press «{button}»."), keyboards.done_label()),
            reply_markup=keyboards.body(has_text=True),
        )

    @router.callback_query(ReportForm.body, ActionCB.filter(F.action == Action.DONE))
    async def body_done(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        if len(draft.body_text.strip()) < MIN_BODY_CHARS:
            await notice(
                query,
                _(
                    "The description is too short: please write at least {count} characters so "
                    "that the service can check it."
                ).format(count=format_number(MIN_BODY_CHARS, view.locale)),
            )
            return
        await advance(query, state, draft, ReportForm.body, view)

    @router.callback_query(ReportForm.body, ActionCB.filter(F.action == Action.RESTART_TEXT))
    async def body_restart(
        query: CallbackQuery, state: FSMContext, draft: Draft, view: ViewContext
    ) -> None:
        draft.body = []
        await show_step(query, state, draft, ReportForm.body, view)

    return router
