"""Department chats: linking with /join, joining the roster, unlinking, and the case buttons.

Works in officers' groups and in officers' private chats. Every button is checked when it is
pressed against the chat's regions and against the roster of the case's region: the case's
random id in the button proves nothing, and being in the chat proves nothing either.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    User,
)
from aiogram.utils.i18n import gettext as _

from bot.cases.card import CaseCards
from bot.cases.chat_views import chat_language_keyboard, chat_language_question
from bot.cases.prompts import AskPrompts
from bot.cases.service import CaseService
from bot.cases.views import (
    confirm_close_keyboard,
    regions_keyboard,
    resolution_keyboard,
)
from bot.core.values import CaseStatus, Resolution
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.telegram.sanitize import visible_text
from bot.ui.callbacks import CaseAction, CaseCB
from bot.ui.context import ViewContext
from bot.ui.formatting import utf16_length
from bot.ui.labels import resolution_labels, role_labels
from handlers.gate import act_as_yourself, only_officers, own_account, person_of, refuse
from storage.cases import CaseRow
from storage.prompts import PromptRow

GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)
MAX_QUESTION_CHARS = 3000


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

    @router.message(_prompt_reply)
    async def question_replied(
        message: Message,
        prompt: PromptRow,
        cases: CaseService,
        roster: Roster,
        prompts: AskPrompts,
        cards: CaseCards,
        bot: Bot,
    ) -> None:
        """A reply to an Ask prompt is a question on the prompt's case, whoever pressed Ask and
        whatever was pressed since; it always gets an answer, sent or not and why."""
        case = await cases.for_chat(prompt.report_id, message.chat.id)
        if case is None or case.status == CaseStatus.CLOSED:
            await message.reply(_("This case is closed or handled in another chat."))
            return
        if not own_account(message):
            await message.reply(act_as_yourself())
            return
        officer = message.from_user.id  # type: ignore[union-attr]
        if not await roster.may_act(officer, {case.region}):
            await message.reply(only_officers())
            return
        text = (message.text or "").strip()
        if prompt.answered:
            await message.reply(used_already())
        elif text.startswith("/cancel"):
            await prompts.use(prompt)
            await message.reply(_("The question was not sent."))
        elif not text or text.startswith("/"):
            await message.reply(
                _("The question was not sent: reply to the prompt with the question as text.")
            )
        elif utf16_length(text) > MAX_QUESTION_CHARS:
            await message.reply(
                _("Please keep the question under {limit} characters.").format(
                    limit=MAX_QUESTION_CHARS
                )
            )
        elif not await prompts.use(prompt):
            await message.reply(used_already())
        else:
            direct = await cases.ask(case, officer, text)
            await cards.refresh(bot, case.id, case.region)
            await message.reply(_("The question was sent to the reporter.") if direct else waits())

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
            await _markup(query, regions_keyboard(case, view.catalog, view.locale))
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


def used_already() -> str:
    return _("This prompt has been used already: to ask again, press Ask on the card.")


def waits() -> str:
    return _(
        "The reporter did not allow questions through the bot: the question will wait for them "
        "when they check the report with /status."
    )


def ask_prompt(officer: User, case: CaseRow) -> str:
    """The prompt mentions the officer who pressed Ask (a link to them, in the message only:
    nothing is stored), so that the selective reply box opens for them alone."""
    name = escape(visible_text(person_of(officer).name), quote=False) or "👤"
    text = _(
        "❓ {officer}, case № {number}: reply to this message with your question for the reporter."
    ).format(officer=f'<a href="tg://user?id={officer.id}">{name}</a>', number=case.case_no)
    return text if case.contact is not None else f"{text}\n\n{waits()}"


async def _prompt_reply(message: Message, prompts: AskPrompts, bot: Bot) -> dict | bool:
    """A reply to one of the bot's Ask prompts: its prompt, for the handler."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
        return False
    prompt = await prompts.replied(replied, message.chat.id)
    return False if prompt is None else {"prompt": prompt}


async def _answer(query: CallbackQuery, text: str) -> None:
    await query.answer(text, show_alert=False)


async def _markup(query: CallbackQuery, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=markup)
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise
