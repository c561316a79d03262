"""``python -m bot`` with ``BOT_MODE=webhook``: Telegram (the fake) posts the updates; an update
a killed bot did not acknowledge is posted again and answered once the bot is back. With
``WEBAPP_URL`` the same server serves the workspace, and in polling mode a server of its own."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from tests.e2e.botprocess import START_TIMEOUT, BotProcess
from tests.fakeapi import FakeBotAPI
from tests.support.live import WEBHOOK_SECRET, WEBHOOK_URL, free_port
from tests.support.people import Person
from tests.support.workspace import WEBAPP_URL


async def start_webhook_bot(process: BotProcess) -> None:
    mark = process.api.mark()
    await process.launch()
    await process.api.wait_for("setWebhook", after=mark, timeout=START_TIMEOUT)


async def workspace_served(session: aiohttp.ClientSession, origin: str) -> None:
    """The workspace's page answers with its policy, and its API refuses a request without a
    session."""
    async with session.get(f"{origin}/app/") as page:
        assert page.status == 200
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    async with session.get(f"{origin}/app/api/me") as api:
        assert api.status == 401


async def test_python_m_bot_takes_updates_by_webhook(fake_api: FakeBotAPI, tmp_path: Path) -> None:
    port = free_port()
    fake_api.webhook_origin = f"http://127.0.0.1:{port}"
    process = BotProcess(
        fake_api,
        tmp_path,
        BOT_MODE="webhook",
        WEB_PORT=str(port),
        WEBHOOK_URL=WEBHOOK_URL,
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        WEBAPP_URL=WEBAPP_URL,
    )
    try:
        await start_webhook_bot(process)
        assert fake_api.calls("getUpdates") == []
        person = Person(fake_api, fake_api.make_user(language_code="ru"))
        assert (await person.command("/start")).plain_text
        async with aiohttp.ClientSession() as session:
            for probe in ("healthz", "readyz"):
                async with session.get(f"{fake_api.webhook_origin}/{probe}") as answer:
                    assert answer.status == 200, probe
            await workspace_served(session, fake_api.webhook_origin)

        await process.kill()
        mark = fake_api.mark()
        fake_api.send_command(person.user, "/help")
        await fake_api.until(lambda: 0 in fake_api.webhook_statuses)  # posted: no one listens
        await start_webhook_bot(process)
        await fake_api.next_reply(person.user, after=mark, timeout=START_TIMEOUT)
        await fake_api.until(lambda: not fake_api.pending_updates)  # acknowledged once handled

        await process.stop()
        assert process.process is not None and process.process.returncode == 0
        log = process.log()
        assert "Traceback" not in log, log
        assert WEBHOOK_SECRET not in log

        mark = fake_api.mark()
        fake_api.send_command(person.user, "/help")  # waits at Telegram: the webhook is still set
        web_port = free_port()
        polling = BotProcess(fake_api, tmp_path, WEB_PORT=str(web_port), WEBAPP_URL=WEBAPP_URL)
        try:
            await polling.start()  # back to polling: the webhook goes, the update stays
            assert fake_api.webhook is None
            await fake_api.next_reply(person.user, after=mark, timeout=START_TIMEOUT)
            async with aiohttp.ClientSession() as session:
                await workspace_served(session, f"http://127.0.0.1:{web_port}")
        finally:
            await polling.stop()
    finally:
        await process.stop()
