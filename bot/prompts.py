"""Ask prompts: the bot's message an officer replies to with a question for the reporter.

The question belongs to the prompt it replies to, not to whoever pressed Ask last: two prompts
open at once each keep their case, and any officer of the case's region may answer either.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.cases import CaseService
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

    async def opened(self, message_id: int, report_id: str) -> None:
        await self._prompts.add(message_id, report_id, self._clock(), PROMPT_SECONDS)

    async def replied(self, message_id: int, chat_id: int) -> PromptRow | None:
        """The prompt a message in ``chat_id`` replies to: message ids repeat across chats, so
        the one whose case this chat may act on."""
        found = await self._prompts.replying_to(message_id)
        for prompt in found:
            if await self._cases.for_chat(prompt.report_id, chat_id) is not None:
                return prompt
        return None

    async def use(self, prompt: PromptRow) -> bool:
        return await self._prompts.answer(prompt, self._clock())
