"""Department chats: linking with /join, joining the roster, unlinking, and the case buttons.

Works in officers' groups and in officers' private chats. Every button is checked when it is
pressed against the chat's regions and against the roster of the case's region: the case's
random id in the button proves nothing, and being in the chat proves nothing either.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import CaseAction, CaseCB, Resolution
from bot.case_views import (
    case_keyboard,
    confirm_close_keyboard,
    regions_keyboard,
    resolution_keyboard,
)
from bot.cases import CaseService
from bot.chat_views import chat_language_keyboard, chat_language_question
from bot.departments import DepartmentService
from bot.formatting import utf16_length
from bot.labels import resolution_labels, role_labels
from bot.roster import Roster
from bot.views import ViewContext
from handlers.gate import act_as_yourself, only_officers, own_account, person_of, refuse

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
MAX_QUESTION_CHARS = 3000


class AskForm(StatesGroup):
    question = State()


def get_router() -> Router:
    router = Router(name="officer")
    router.message.filter(F.chat.type.in_({ChatType.PRIVATE, *GROUPS}))

    @router.message(Command("join"))
    async def join(
        message: Message,
        command: CommandObject,
        departments: DepartmentService,
        roster: Roster,
        view: ViewContext,
    ) -> None:
        """A chat's code links the chat; a personal code, sent in private, puts its sender on
        the roster. A personal code sent into a group is spent: the group has read it."""
        code = command.args or ""
        private = message.chat.type == ChatType.PRIVATE
        kind = "private" if private else "group"
        region = await departments.join(code, message.chat.id, kind)
        if region is not None:
            linked = _("Linked. New reports for {region} will come to this chat.").format(
                region=view.region_name(region)
            )
            user = message.from_user.id if message.from_user else 0
            linker = departments.linker_tag(message.chat.id, user)
            await message.answer(
                f"{linked}\n\n{chat_language_question()}",
                reply_markup=chat_language_keyboard(linker),
            )
            return
        if private and own_account(message):
            joined = await roster.join(code, person_of(message.from_user))  # type: ignore[arg-type]
            if joined is not None:
                await message.answer(
                    _(
                        "You are on the roster of the department.\nRegion: {region}\n"
                        "Role: {role}\n\nYou can now act on its cases in the department's chat."
                    ).format(region=view.region_name(joined[0]), role=role_labels()[joined[1]])
                )
                return
        elif not private and await roster.void(code):
            await message.answer(
                _(
                    "This code is personal and must be sent to the bot in a private chat. It was "
                    "shown in a group, so it no longer works: ask for a new one."
                )
            )
            return
        await message.answer(
            _("This code is unknown, used or expired. Ask an admin for a new one.")
        )

    @router.message(Command("unlink"))
    async def unlink(
        message: Message, command: CommandObject, departments: DepartmentService, roster: Roster
    ) -> None:
        region = (command.args or "").strip() or None
        if not own_account(message):
            await refuse(message, act_as_yourself())
            return
        linked = await departments.regions_of(message.chat.id)
        targets = linked & {region} if region else linked
        if not targets:
            await message.answer(_("This chat is not linked to that department."))
            return
        if not await roster.may_act(message.from_user.id, targets):  # type: ignore[union-attr]
            await refuse(message, only_officers())
            return
        await departments.unlink(message.chat.id, region)
        await message.answer(_("Unlinked. This chat no longer receives reports."))

    @router.message(AskForm.question, Command("cancel"))
    async def cancel_question(message: Message, state: FSMContext) -> None:
        await state.clear()
        await message.answer(_("The question was not sent."))

    @router.message(AskForm.question, F.text, ~F.text.startswith("/"))
    async def question_typed(
        message: Message, state: FSMContext, cases: CaseService, roster: Roster
    ) -> None:
        text = (message.text or "").strip()
        case_id = (await state.get_data()).get("ask_case", "")
        case = await cases.for_chat(case_id, message.chat.id)
        if case is None or case.status == "closed":
            await state.clear()
            await message.answer(_("This case is closed or handled in another chat."))
            return
        if not own_account(message) or not await roster.may_act(
            message.from_user.id,  # type: ignore[union-attr]
            {case.region},
        ):
            await state.clear()
            await refuse(message, only_officers())
            return
        if utf16_length(text) > MAX_QUESTION_CHARS:
            await message.answer(
                _("Please keep the question under {limit} characters.").format(
                    limit=MAX_QUESTION_CHARS
                )
            )
            return
        direct = await cases.ask(case, message.from_user.id, text)  # type: ignore[union-attr]
        await state.clear()
        await message.answer(
            _("The question was sent to the reporter.")
            if direct
            else _(
                "The reporter did not allow questions through the bot: the question will wait "
                "for them when they check the report with /status."
            )
        )

    @router.callback_query(CaseCB.filter())
    async def case_button(
        query: CallbackQuery,
        callback_data: CaseCB,
        cases: CaseService,
        view: ViewContext,
        state: FSMContext,
        roster: Roster,
    ) -> None:
        message = query.message
        if not own_account(query):
            await refuse(query, act_as_yourself())
            return
        case = await cases.for_chat(callback_data.case, message.chat.id) if message else None
        if case is None or case.status == "closed":
            await query.answer(
                _("This case is closed or handled in another chat."), show_alert=True
            )
            return
        officer = query.from_user.id
        if not await roster.may_act(officer, {case.region}):
            await refuse(query, only_officers())
            return
        action = callback_data.action
        if action in (CaseAction.CLOSE, CaseAction.MOVE, CaseAction.ASK):
            await cases.opened(case, officer)
        if action == CaseAction.ACCEPT:
            done = await cases.accept(case, officer)
            await _answer(query, _("Accepted.") if done else _("Already accepted."))
            await _markup(query, case_keyboard(replace(case, status="accepted")))
        elif action == CaseAction.CLOSE:
            await query.answer()
            await _markup(query, resolution_keyboard(case))
        elif action == CaseAction.RESOLVE and callback_data.arg in set(Resolution):
            await _answer(
                query,
                _("Close with the result «{resolution}»? The reporter will see the result.").format(
                    resolution=resolution_labels()[callback_data.arg]
                ),
            )
            await _markup(query, confirm_close_keyboard(case, callback_data.arg))
        elif action == CaseAction.CONFIRM and callback_data.arg in set(Resolution):
            resolution = Resolution(callback_data.arg)
            await cases.close(case, officer, resolution)
            await _answer(
                query, _("Closed: {resolution}.").format(resolution=resolution_labels()[resolution])
            )
            await _markup(query, None)
        elif action == CaseAction.MOVE:
            await query.answer()
            await _markup(query, regions_keyboard(case, view.catalog, view.locale))
        elif action == CaseAction.MOVE_TO and await cases.move(case, officer, callback_data.arg):
            await _answer(
                query, _("Sent to {region}.").format(region=view.region_name(callback_data.arg))
            )
            await _markup(query, None)
        elif action == CaseAction.ASK:
            await state.set_state(AskForm.question)
            await state.update_data(ask_case=case.id)
            await query.answer()
            await message.answer(  # type: ignore[union-attr]
                _(
                    "❓ Case № {number}: reply to this message with your question for the "
                    "reporter. To cancel, send /cancel."
                ).format(number=case.case_no),
                reply_markup=ForceReply(),
            )
        elif action == CaseAction.BACK:
            await query.answer()
            await _markup(query, case_keyboard(case))
        else:
            await query.answer(_("This button is no longer active."), show_alert=True)

    @router.callback_query(F.message.chat.type.in_(GROUPS))
    async def unknown_group_button(query: CallbackQuery) -> None:
        await query.answer(_("This button is no longer active."), show_alert=True)

    return router


async def _answer(query: CallbackQuery, text: str) -> None:
    await query.answer(text, show_alert=False)


async def _markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise
