"""The prompts officers reply to with a question for a reporter: each prompt message is its case.

A prompt is found by its message id and the second Telegram dated it, never by its chat (no
chat, officer or reporter is stored): should two chats' prompts share both, the handler keeps
the one whose case the replying chat may act on (bot/cases/service.py ``for_chat``).
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database


@dataclass(frozen=True, slots=True)
class PromptRow:
    message_id: int
    sent_at: int
    report_id: str
    answered: bool = False


class PromptsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, prompt: PromptRow, kept: float) -> None:
        """A new prompt; prompts sent more than ``kept`` seconds before it go at the same time."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM ask_prompts WHERE sent_at < ?", (int(prompt.sent_at - kept),)
            )
            await conn.execute(
                "INSERT INTO ask_prompts (message_id, sent_at, report_id) VALUES (?, ?, ?) "
                "ON CONFLICT (message_id, sent_at, report_id) DO UPDATE SET answered_at = NULL",
                (prompt.message_id, prompt.sent_at, prompt.report_id),
            )

    async def replying_to(self, message_id: int, sent_at: int) -> list[PromptRow]:
        rows = await self._db.fetchall(
            "SELECT message_id, sent_at, report_id, answered_at FROM ask_prompts "
            "WHERE message_id = ? AND sent_at = ?",
            (message_id, sent_at),
        )
        return [PromptRow(row[0], row[1], row[2], row[3] is not None) for row in rows]

    async def answer(self, prompt: PromptRow, now: float) -> bool:
        """Mark a prompt used; False if it was already (two replies racing)."""
        changed = await self._db.execute(
            "UPDATE ask_prompts SET answered_at = ? WHERE message_id = ? AND sent_at = ? "
            "AND report_id = ? AND answered_at IS NULL",
            (now, prompt.message_id, prompt.sent_at, prompt.report_id),
        )
        return changed == 1
