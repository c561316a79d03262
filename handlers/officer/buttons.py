"""The buttons on a case card: accept, close with a result (and undo), move, ask, back."""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, ForceReply, Message, ReplyParameters, User
from aiogram.utils.i18n import gettext as _

from bot.cases.card import CaseCards
from bot.cases.prompts import AskPrompts
from bot.cases.service import CaseService
from bot.cases.views import (
    confirm_close_keyboard,
    question_waits,
    regions_keyboard,
    resolution_keyboard,
)
from bot.core.values import CaseStatus, Resolution
from bot.departments.roster import Roster
from bot.telegram.sanitize import visible_text
from bot.ui.callbacks import CaseAction, CaseCB
from bot.ui.context import ViewContext
from bot.ui.labels import resolution_labels
from bot.ui.replies import edit_markup
from handlers.gate import act_as_yourself, only_officers, own_account, person_of, refuse
from storage.cases import CaseRow

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


def get_router() -> Router:
    router = Router(name="officer.buttons")

    @router.callback_query(CaseCB.filter(), F.message.as_("message"))
    async def case_button(
        query: CallbackQuery,
        callback_data: CaseCB,
        message: Message,
        cases: CaseService,
        cards: CaseCards,
        prompts: AskPrompts,
        view: ViewContext,
        roster: Roster,
        bot: Bot,
    ) -> None:
        if not own_account(query):
            await refuse(query, act_as_yourself())
            return
        action = callback_data.action
        case = await cases.for_chat(callback_data.case, message.chat.id)
        if case is None or (case.status == CaseStatus.CLOSED and action != CaseAction.UNDO):
            await query.answer(
                _("This case is closed or handled in another chat."), show_alert=True
            )
            return
        officer = query.from_user.id
        if not await roster.may_act(officer, {case.region}):
            await refuse(query, only_officers())
            return
        region = case.region

        async def stamp() -> None:
            await cards.stamp(bot, case.id, region, message.chat.id, message.message_id)

        if action in (CaseAction.CLOSE, CaseAction.MOVE, CaseAction.ASK):
            await cases.opened(case, officer)
        if action == CaseAction.ACCEPT:
            done = await cases.accept(case, officer)
            await _answer(query, _("Accepted.") if done else _("Already accepted."))
            await stamp()
        elif action == CaseAction.CLOSE:
            await query.answer()
            await edit_markup(query, resolution_keyboard(case))
        elif action == CaseAction.RESOLVE and callback_data.arg in set(Resolution):
            await _answer(
                query,
                _("Close with the result «{resolution}»? The reporter will see the result.").format(
                    resolution=resolution_labels()[callback_data.arg]
                ),
            )
            await edit_markup(query, confirm_close_keyboard(case, callback_data.arg))
        elif action == CaseAction.CONFIRM and callback_data.arg in set(Resolution):
            resolution = Resolution(callback_data.arg)
            await cases.close(case, officer, resolution)
            await _answer(
                query,
                _("Closed: {resolution}. It can be undone for a minute.").format(
                    resolution=resolution_labels()[resolution]
                ),
            )
            await stamp()
        elif action == CaseAction.UNDO:
            await undo(query, case, cases)
            if getattr(message, "reply_markup", None):  # the Undo button goes, whatever the answer
                await stamp()
        elif action == CaseAction.MOVE:
            await query.answer()
            await edit_markup(query, regions_keyboard(case, view.catalog, view.locale))
        elif action == CaseAction.MOVE_TO and await cases.move(case, officer, callback_data.arg):
            await _answer(
                query, _("Sent to {region}.").format(region=view.region_name(callback_data.arg))
            )
            await stamp()
        elif action == CaseAction.ASK:
            await query.answer()
            prompt = await message.answer(
                ask_prompt(query.from_user, case),
                reply_parameters=ReplyParameters(
                    message_id=message.message_id, allow_sending_without_reply=True
                ),
                reply_markup=ForceReply(selective=True),
            )
            await prompts.opened(prompt, case.id)
        elif action == CaseAction.BACK:
            await query.answer()
            await stamp()
        else:
            await query.answer(_("This button is no longer active."), show_alert=True)

    @router.callback_query(F.message.chat.type.in_(GROUPS))
    async def unknown_group_button(query: CallbackQuery) -> None:
        await query.answer(_("This button is no longer active."), show_alert=True)

    return router


async def undo(query: CallbackQuery, case: CaseRow, cases: CaseService) -> None:
    if case.status != CaseStatus.CLOSED:
        await query.answer(_("The case is open already."), show_alert=True)
    elif await cases.undo_close(case, query.from_user.id):
        await _answer(query, _("Close undone: the case is open again."))
    else:
        await query.answer(_("Too late to undo: the close is final."), show_alert=True)


def ask_prompt(officer: User, case: CaseRow) -> str:
    """The prompt mentions the officer who pressed Ask (a link to them, in the message only:
    nothing is stored), so that the selective reply box opens for them alone."""
    name = escape(visible_text(person_of(officer).name), quote=False) or "👤"
    text = _(
        "❓ {officer}, case № {number}: reply to this message with your question for the reporter."
    ).format(officer=f'<a href="tg://user?id={officer.id}">{name}</a>', number=case.case_no)
    return text if case.contact is not None else f"{text}\n\n{question_waits()}"


async def _answer(query: CallbackQuery, text: str) -> None:
    await query.answer(text, show_alert=False)
