"""The whole bot in this process, long-polling the fake Bot API server or taking its webhook
posts: started and stopped as ``python -m bot`` does (``bot.app.Runtime``), except that the tests
deliver and move time."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import gettext as _

from bot.app import Runtime, Services
from bot.app.webhook import listening
from bot.cases.delivery import OutboxSender
from bot.settings import Settings, load_settings
from tests.conftest import TEST_KEY
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser
from tests.support import backends
from tests.support.people import Person

ADMIN_ID = 900100200
WEBHOOK_URL = "https://adal.example.kz/telegram/updates"
WEBHOOK_SECRET = "s3cret_for-tests"


class Live:
    def __init__(self, api: FakeBotAPI, runtime: Runtime, dispatcher: Dispatcher):
        self.api = api
        self.runtime = runtime
        self.services: Services = runtime.services
        self.bot: Bot = runtime.bot
        self.dispatcher = dispatcher
        self.sender: OutboxSender = runtime.sender
        self.admin = api.make_user(id=ADMIN_ID, first_name="Admin", language_code="ru")

    async def deliver(self) -> int:
        """Queue a digest for every new case and deliver until nothing is due; pending left."""
        await self.services.digests.queue()
        return await self.sender.drain(within=5)

    async def link(
        self, region: str, chat: FakeChat | FakeUser, *, language: str | None = None
    ) -> FakeUser:
        """An admin invites, and the chat joins (a group, or an officer in private); the one who
        linked it chooses the chat's ``language``, or leaves the question unanswered (the
        department's language). Returns who linked it."""
        mark = self.api.mark()
        self.api.send_command(self.admin, f"/invite {region}")
        invite = await self.api.next_reply(self.admin, after=mark)
        code = (invite.plain_text or "").split("/join ", 1)[1].split()[0]
        mark = self.api.mark()
        member = chat if isinstance(chat, FakeUser) else self.api.make_user(language_code="ru")
        where = {} if chat is member else {"chat": chat}
        self.api.send_command(member, f"/join {code}", **where)
        linked = await self.api.next_reply(chat, after=mark)
        if language is not None:
            [choice] = [
                button["callback_data"]
                for button in linked.buttons
                if button.get("callback_data", "").startswith(f"cl:{language}:")
            ]
            mark = self.api.mark()
            self.api.press(member, choice, **where)
            await self.api.wait_for("editMessageText", after=mark)
        return member

    async def officer(
        self, region: str, role: str = "officer", language: str = "ru", **names: str
    ) -> FakeUser:
        """A person put on ``region``'s roster: an admin invites them, they join in private."""
        user = self.api.make_user(language_code=language, **names)
        await self.enrol(user, region, role)
        return user

    async def enrol(self, user: FakeUser, region: str, role: str = "officer") -> None:
        mark = self.api.mark()
        self.api.send_command(self.admin, f"/invite {region} {role}")
        invite = await self.api.next_reply(self.admin, after=mark)
        code = (invite.plain_text or "").split("/join ", 1)[1].split()[0]
        mark = self.api.mark()
        self.api.send_command(user, f"/join {code}")
        await self.api.next_reply(user, after=mark)

    def person(self, language: str = "ru", **names: str) -> Person:
        return Person(self.api, self.api.make_user(language_code=language, **names))


def said(live: Live, locale: str, text: str, **values: object) -> str:
    """``text`` as the bot says it in ``locale``; a text with no translation fails the test."""
    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        translated = _(text)
    assert translated != text, f"{text!r} has no {locale} translation"
    return translated.format(**values) if values else translated


def live_settings(
    api: FakeBotAPI, workdir: Path, *, encryption_keys: str = TEST_KEY, **overrides: object
) -> Settings:
    return load_settings(
        bot_token="42:TEST",
        telegram_api_url=api.base_url,
        data_dir=workdir / "data",
        encryption_keys=encryption_keys,
        admin_ids=str(ADMIN_ID),
        send_interval_seconds=0,
        _env_file=None,
        # tests/live/test_relay_delay.py tests the delay, tests/live/test_card.py the undo window
        **{
            "relay_delay_minutes": "0",
            "close_undo_seconds": 0,
            **backends.overrides(),
            **overrides,
        },
    )


async def live_bot(
    api: FakeBotAPI, workdir: Path, *, encryption_keys: str = TEST_KEY, **overrides: object
) -> AsyncIterator[Live]:
    settings = live_settings(api, workdir, encryption_keys=encryption_keys, **overrides)
    async with Runtime(settings) as runtime:
        dispatcher = await runtime.serve(unattended=False)
        polls = api.poll_count
        polling = asyncio.create_task(
            dispatcher.start_polling(
                runtime.bot,
                handle_signals=False,
                close_bot_session=False,
                allowed_updates=dispatcher.resolve_used_update_types(),
            )
        )
        await api.wait_polling(since=polls)
        try:
            yield Live(api, runtime, dispatcher)
        finally:
            with contextlib.suppress(RuntimeError):
                await dispatcher.stop_polling()
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling


async def webhook_bot(api: FakeBotAPI, workdir: Path, **overrides: object) -> AsyncIterator[Live]:
    """The same bot in webhook mode: its web server on a free local port, where the fake API
    posts what it would post to ``WEBHOOK_URL`` (as a reverse proxy would forward it)."""
    port = free_port()
    settings = live_settings(
        api,
        workdir,
        bot_mode="webhook",
        web_port=port,
        webhook_url=WEBHOOK_URL,
        webhook_secret=WEBHOOK_SECRET,
        **overrides,
    )
    api.webhook_origin = f"http://127.0.0.1:{port}"
    async with Runtime(settings) as runtime:
        dispatcher = await runtime.serve(unattended=False)
        async with listening(
            dispatcher,
            runtime.bot,
            settings,
            ready=runtime.ready,
            grace=1,
            metrics=runtime.services.metrics.render,
        ):
            yield Live(api, runtime, dispatcher)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def private_message(text: str, user_id: int) -> dict[str, object]:
    """An update as Telegram posts it to a webhook: ``text`` from a user in their private chat."""
    return {
        "update_id": 7,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "T"},
            "text": text,
        },
    }
