"""A citizen in a private chat with the bot, over the fake Bot API (in-process or subprocess)."""

from __future__ import annotations

from tests.fakeapi import FakeBotAPI, FakeUser, SentMessage

REPLY_TIMEOUT = 15.0


class Person:
    """A citizen tapping and typing; each action returns the reply it waited for."""

    def __init__(self, api: FakeBotAPI, user: FakeUser) -> None:
        self.api = api
        self.user = user

    async def _reply(self, mark: int, button: str | None, text: str | None) -> SentMessage:
        def matches(message: SentMessage) -> bool:
            if button is not None and all(
                b.get("callback_data") != button for b in message.buttons
            ):
                return False
            return text is None or text in (message.plain_text or "")

        return await self.api.next_reply(
            self.user, after=mark, timeout=REPLY_TIMEOUT, where=matches
        )

    async def command(
        self, text: str, *, button: str | None = None, expect: str | None = None
    ) -> SentMessage:
        mark = self.api.mark()
        self.api.send_command(self.user, text)
        return await self._reply(mark, button, expect)

    async def say(
        self, text: str, *, button: str | None = None, expect: str | None = None
    ) -> SentMessage:
        mark = self.api.mark()
        self.api.send_text(self.user, text)
        return await self._reply(mark, button, expect)

    async def press(
        self, data: str, *, button: str | None = None, expect: str | None = None
    ) -> SentMessage:
        mark = self.api.mark()
        self.api.press(self.user, data)
        return await self._reply(mark, button, expect)

    async def photo(self, data: bytes, *, button: str = "do:done") -> SentMessage:
        mark = self.api.mark()
        self.api.send_photo(self.user, data)
        return await self._reply(mark, button, None)

    async def document(self, data: bytes, name: str, *, button: str = "do:done") -> SentMessage:
        mark = self.api.mark()
        self.api.send_document(self.user, data, file_name=name)
        return await self._reply(mark, button, None)

    async def voice(self, data: bytes, *, button: str = "do:done") -> SentMessage:
        mark = self.api.mark()
        self.api.send_voice(self.user, data)
        return await self._reply(mark, button, None)

    async def audio(
        self, data: bytes, name: str, mime_type: str, *, button: str = "do:done"
    ) -> SentMessage:
        mark = self.api.mark()
        self.api.send_audio(self.user, data, file_name=name, mime_type=mime_type)
        return await self._reply(mark, button, None)

    async def walk_to_review(
        self, body: str, *, region: str = "abai", contact: bool = False
    ) -> None:
        """/report to the review screen: ``region``, akimat, a week ago, no place, ``body``, no
        files, and whether the department may ask back."""
        await self.command("/report", button=f"rg:{region}")
        await self.press(f"rg:{region}", button="sp:akimat")
        await self.press("sp:akimat", button="wh:week")
        await self.press("wh:week", button="do:skip")
        await self.press("do:skip", button="do:back")
        await self.say(body, button="do:done")
        await self.press("do:done", button="do:skip")
        await self.press("do:skip", button="do:cyes")
        await self.press("do:cyes" if contact else "do:cno", button="do:submit")
