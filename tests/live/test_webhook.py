"""Webhook mode (issue 15): the same bot fed by Telegram's posts instead of long polling.

The fake Bot API plays Telegram: it posts each queued update to the registered webhook (through
``webhook_origin``, as a reverse proxy would forward it) until the bot answers 200.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from bot.app.webhook import MAX_UPDATE_BYTES, SECRET_HEADER
from bot.settings import ConfigError
from tests.fakeapi import FakeBotAPI
from tests.support.db import content
from tests.support.flows import report
from tests.support.live import WEBHOOK_SECRET, WEBHOOK_URL, Live, live_bot, webhook_bot

RECEIPT_CODE = re.compile(r"\b[0-9A-Z]{4}(?:-[0-9A-Z]{4})+\b")


@pytest.fixture
async def live(fake_api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[Live]:
    async for running in webhook_bot(fake_api, tmp_path):
        yield running


async def conversation(live: Live) -> list[str]:
    """A citizen's /start and a full report; what they saw, the random receipt code and the
    numbers (dates, case numbers) masked."""
    person = live.person()
    await person.command("/start")
    await report(person, "abai")
    return [
        re.sub(r"\d", "#", RECEIPT_CODE.sub("<code>", m.plain_text or ""))
        for m in live.api.messages_in(person.user)
    ]


def start_update(api: FakeBotAPI) -> bytes:
    """A /start from a new user, as Telegram would post it (not queued in the fake)."""
    user = api.make_user(language_code="ru")
    api.send_command(user, "/start")
    [update] = api.take_queued()
    return json.dumps(update).encode()


async def test_set_webhook_with_url_secret_and_allowed_updates(live: Live) -> None:
    [call] = live.api.calls("setWebhook")
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == WEBHOOK_SECRET
    assert call.params["drop_pending_updates"] is False
    assert call.params["allowed_updates"] == live.dispatcher.resolve_used_update_types()
    # While a webhook is set, Telegram refuses long polling.
    with pytest.raises(Exception, match="webhook is active"):
        await live.bot.get_updates()


async def test_same_answers_as_polling(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    async for polling in live_bot(fake_api, tmp_path / "polling"):
        polled = await conversation(polling)
    async for webhook in webhook_bot(fake_api, tmp_path / "webhook"):
        posted = await conversation(webhook)
        assert fake_api.webhook_statuses
        assert set(fake_api.webhook_statuses) == {200}
    assert len(polled) >= 3
    assert posted == polled


@pytest.mark.parametrize("secret", ["", "wrong", WEBHOOK_SECRET + "x"])
async def test_wrong_or_missing_secret_is_refused(live: Live, secret: str) -> None:
    before = await content(live.services)
    mark = live.api.mark()
    assert await live.api.post_to_webhook(start_update(live.api), secret=secret) == 401
    assert live.api.requests[mark:] == []  # nothing answered
    assert await content(live.services) == before  # nothing stored


async def test_the_right_secret_is_handled(live: Live) -> None:
    """The control of the test above: the same post with the secret gets an answer."""
    mark = live.api.mark()
    assert await live.api.post_to_webhook(start_update(live.api), secret=WEBHOOK_SECRET) == 200
    assert live.api.calls("sendMessage", after=mark)


async def test_oversized_and_invalid_bodies(live: Live) -> None:
    mark = live.api.mark()
    big = b'{"update_id": 1, "x": "' + b"a" * MAX_UPDATE_BYTES + b'"}'
    assert await live.api.post_to_webhook(big, secret=WEBHOOK_SECRET) == 413
    assert await live.api.post_to_webhook(b"{not json", secret=WEBHOOK_SECRET) == 400
    assert live.api.requests[mark:] == []


async def test_an_endless_chunked_body_is_cut_off(live: Live) -> None:
    """No length declared: the body is read in chunks and refused once past the limit."""
    sent = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal sent
        while sent <= 4 * MAX_UPDATE_BYTES:
            sent += 64 * 1024
            yield b" " * 64 * 1024

    url = f"{live.api.webhook_origin}{urlsplit(WEBHOOK_URL).path}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=endless(), headers={SECRET_HEADER: WEBHOOK_SECRET}) as answer,
    ):
        assert answer.status == 413


async def test_a_webhook_url_telegram_refuses_is_a_setting_to_fix(
    fake_api: FakeBotAPI, tmp_path: Path
) -> None:
    fake_api.fail_next(
        "setWebhook", 400, description="Bad Request: bad webhook: Failed to resolve host"
    )
    with pytest.raises(ConfigError, match="WEBHOOK_URL is invalid: Telegram refused it"):
        async for _ in webhook_bot(fake_api, tmp_path):
            pass


async def test_probes(live: Live) -> None:
    origin = live.api.webhook_origin
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{origin}/healthz") as answer:
            assert answer.status == 200
        async with session.get(f"{origin}/readyz") as answer:
            assert answer.status == 200
        await live.services.database.execute("UPDATE alembic_version SET version_num = '0001'")
        async with session.get(f"{origin}/readyz") as answer:
            assert answer.status == 503


async def test_metrics_are_served_without_ids_or_text(live: Live) -> None:
    citizen = live.api.make_user(language_code="ru", first_name="Метрикова", username="metrics_fan")
    mark = live.api.mark()
    live.api.send_command(citizen, "/start")
    await live.api.next_reply(citizen, after=mark)
    url = f"{live.api.webhook_origin}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = await answer.text()
    [handled] = [
        line for line in text.splitlines() if line.startswith('adal_updates_total{type="message"}')
    ]
    assert float(handled.rsplit(" ", 1)[1]) >= 1
    for secret in (str(citizen.id), "Метрикова", "metrics_fan"):
        assert secret not in text
