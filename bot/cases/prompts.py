"""Ask prompts: the bot's message an officer replies to with a question for the reporter.

The question belongs to the prompt it replies to, not to whoever pressed Ask last: two prompts
open at once each keep their case, and any officer of the case's region may answer either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from aiogram.types import Message

from bot.cases.service import CaseService
from storage.prompts import PromptRow, PromptsRepository

PROMPT_SECONDS = 2 * 24 * 3600
"""How long a prompt takes a reply; older ones are forgotten when a new one opens."""


class AskPrompts:
    def __init__(
        self,
        prompts: PromptsRepository,
        cases: CaseService,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._prompts = prompts
        self._cases = cases
        self._clock = clock

    async def opened(self, prompt: Message, report_id: str) -> None:
        row = PromptRow(prompt.message_id, _seconds(prompt.date), report_id)
        await self._prompts.add(row, PROMPT_SECONDS)

    async def replied(self, message: Message, chat_id: int) -> PromptRow | None:
        """The prompt ``message`` (replied to in ``chat_id``) is, if it is one."""
        found = await self._prompts.replying_to(message.message_id, _seconds(message.date))
        for prompt in found:
            if await self._cases.for_chat(prompt.report_id, chat_id) is not None:
                return prompt
        return None

    async def use(self, prompt: PromptRow) -> bool:
        return await self._prompts.answer(prompt, self._clock())


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())
