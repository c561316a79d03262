"""The mocked session's scripted failures are aiogram's own exceptions, raised by check_response."""

from __future__ import annotations

import pytest
from aiogram.exceptions import (
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
)

from tests.support.mocked import MockedSession, mocked_bot


async def test_each_failure_is_raised_once_per_call_and_then_calls_succeed() -> None:
    session = MockedSession()
    bot = mocked_bot(session)
    session.fail_next("sendMessage", 429, retry_after=7)
    session.fail_next("sendMessage", 403)
    session.fail_next("sendMessage", 400, migrate_to_chat_id=-100123)
    session.disconnect_next("sendMessage")
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(1, "a")
    assert retry.value.retry_after == 7
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(1, "b")
    with pytest.raises(TelegramMigrateToChat) as migrated:
        await bot.send_message(1, "c")
    assert migrated.value.migrate_to_chat_id == -100123
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(1, "d")
    assert (await bot.send_message(1, "e")).text == "e"
    assert await bot.delete_message(1, 2) is True, "other methods are not affected"
    assert [request.text for request in session.requests[:5]] == ["a", "b", "c", "d", "e"]
