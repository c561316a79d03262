"""The prompts officers reply to with a question for a reporter: each prompt message is its case.

A prompt is found by its message id and its case, never by its chat: a chat's own messages are
numbered from 1, so the handler keeps the rows whose case the replying chat may act on
(bot/cases.py ``for_chat``). No chat, officer or reporter is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database


@dataclass(frozen=True, slots=True)
class PromptRow:
    message_id: int
    report_id: str
    answered: bool


class PromptsRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, message_id: int, report_id: str, now: float, kept: float) -> None:
        """A new prompt; prompts older than ``kept`` seconds go at the same time."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM ask_prompts WHERE created_at < ?", (now - kept,))
            await conn.execute(
                "INSERT OR REPLACE INTO ask_prompts (message_id, report_id, created_at) "
                "VALUES (?, ?, ?)",
                (message_id, report_id, now),
            )

    async def replying_to(self, message_id: int) -> list[PromptRow]:
        rows = await self._db.fetchall(
            "SELECT message_id, report_id, answered_at FROM ask_prompts WHERE message_id = ?",
            (message_id,),
        )
        return [PromptRow(row[0], row[1], row[2] is not None) for row in rows]

    async def answer(self, prompt: PromptRow, now: float) -> bool:
        """Mark a prompt used; False if it was already (two replies racing)."""
        changed = await self._db.execute(
            "UPDATE ask_prompts SET answered_at = ? WHERE message_id = ? AND report_id = ? "
            "AND answered_at IS NULL",
            (now, prompt.message_id, prompt.report_id),
        )
        return changed == 1
