"""An officer's question to a reporter: the reply to the prompt that Ask opened."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import Message, User
from aiogram.utils.i18n import gettext as _

from bot.cases.card import CaseCards
from bot.cases.prompts import AskPrompts
from bot.cases.service import CaseService
from bot.cases.views import question_sent
from bot.core.values import CaseStatus
from bot.departments.roster import Roster
from bot.ui.formatting import utf16_length
from handlers.gate import act_as_yourself, only_officers, own_account
from storage.prompts import PromptRow

MAX_QUESTION_CHARS = 3000


def get_router() -> Router:
    router = Router(name="officer.questions")

    @router.message(_prompt_reply)
    async def question_replied(
        message: Message,
        event_from_user: User,
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
        officer = event_from_user.id
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
            await message.reply(question_sent(direct))

    return router


def used_already() -> str:
    return _("This prompt has been used already: to ask again, press Ask on the card.")


async def _prompt_reply(
    message: Message, prompts: AskPrompts, bot: Bot
) -> dict[str, PromptRow] | bool:
    """A reply to one of the bot's Ask prompts: its prompt, for the handler."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot.id:
        return False
    prompt = await prompts.replied(replied, message.chat.id)
    return False if prompt is None else {"prompt": prompt}
