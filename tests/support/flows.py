"""What people do through the live bot: a citizen files a report; officers press the buttons of
its card, ask the reporter, read /stats; reports stored through the service directly."""

from __future__ import annotations

from bot.app import build_services, finish_updates
from bot.core import receipt
from bot.core.catalog import Catalog
from bot.core.clock import new_id
from bot.reports.service import Submission
from bot.settings import Settings
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support.db import content
from tests.support.live import Live, said
from tests.support.people import Person

CATALOG = Catalog.load()
BODY = "Начальник отдела акимата требует 200 000 тенге за выдачу разрешения на строительство."


async def report(
    person: Person,
    region: str,
    *,
    body: str = BODY,
    contact: bool = False,
    photo: bytes | None = None,
    document: tuple[bytes, str] | None = None,
    voice: bytes | None = None,
    audio: tuple[bytes, str, str] | None = None,
) -> str:
    """A citizen files a report in ``region`` (with a ``photo``, a ``document`` as (content,
    name), a ``voice`` note, an ``audio`` file as (content, name, MIME type)); returns the
    receipt message text."""
    await person.command("/report", button="rg:abai")
    await person.press(f"rg:{region}", button="sp:akimat")
    await person.press("sp:akimat", button="wh:week")
    await person.press("wh:week", button="do:skip")
    await person.press("do:skip", button="do:back")
    await person.say(body, button="do:done")
    await person.press("do:done", button="do:skip")
    if photo is not None:
        await person.photo(photo)
    if document is not None:
        await person.document(*document)
    if voice is not None:
        await person.voice(voice)
    if audio is not None:
        await person.audio(*audio)
    files = any(file is not None for file in (photo, document, voice, audio))
    await person.press("do:done" if files else "do:skip", button="do:cyes")
    await person.press("do:cyes" if contact else "do:cno", button="do:submit")
    receipt = await person.press("do:submit", expect="-")
    return receipt.plain_text or ""


def region_name(code: str, locale: str = "ru") -> str:
    entry = CATALOG.region(code)
    assert entry is not None
    return entry.name(locale)


def cards(api: FakeBotAPI, chat: object) -> list[SentMessage]:
    """Text messages that name a case, but for digest headers and /open lists, which list them."""
    return [
        m
        for m in api.messages_in(chat)
        if m.kind == "text"
        and "№" in (text := m.plain_text or "")
        and not text.startswith(("📬", "📂"))
    ]


def case_id_of(card: SentMessage) -> str:
    for button in card.buttons:
        data = button.get("callback_data", "")
        if data.startswith("cs:cls:"):
            return data.split(":")[2]
    raise AssertionError("no case buttons on the card")


def data(action: str, case: str, arg: str = "") -> str:
    """Callback data exactly as the bot packs it."""
    return f"cs:{action}:{case}:{arg}"


CARD_EDITS = ("editMessageReplyMarkup", "editMessageText")


async def press_in(api: FakeBotAPI, officer, chat, callback: str) -> SentMessage:
    """Press a case button and wait until the card (its buttons, or its text and buttons) has
    changed; returns the card as it is then."""
    mark = api.mark()
    pressed = api.press(officer, callback, chat=chat)["message"]["message_id"]
    await api.wait_for("answerCallbackQuery", after=mark)
    return await api.next_reply(
        chat, after=mark, methods=CARD_EDITS, where=lambda card: card.message_id == pressed
    )


async def close(api: FakeBotAPI, officer: FakeUser, chat: FakeChat, case: str) -> None:
    """Close, choose «Referred for investigation», confirm."""
    for callback in (data("cls", case), data("res", case, "ref"), data("ok", case, "ref")):
        await press_in(api, officer, chat, callback)


async def post_question(
    live: Live, officer: FakeUser, chat: FakeChat, case: str, text: str
) -> SentMessage:
    """An officer presses Ask under ``case`` in ``chat`` and replies to the prompt with ``text``;
    returns the bot's answer to that reply (the card is stamped before it)."""
    prompt = await open_prompt(live, officer, chat, case)
    return await reply_to_prompt(live, officer, chat, prompt, text)


async def open_prompt(live: Live, officer: FakeUser, chat: FakeChat, case: str) -> SentMessage:
    mark = live.api.mark()
    live.api.press(officer, data("ask", case), chat=chat)
    return await live.api.next_reply(chat, after=mark, methods=("sendMessage",))


async def reply_to_prompt(
    live: Live, officer: FakeUser, chat: FakeChat, prompt: SentMessage, text: str
) -> SentMessage:
    mark = live.api.mark()
    sent = live.api.send_text(officer, text, chat=chat, reply_to=prompt)
    return await live.api.next_reply(
        chat,
        after=mark,
        where=lambda m: m.raw.get("reply_to_message", {}).get("message_id") == sent["message_id"],
    )


def sphere_name(code: str, locale: str) -> str:
    entry = CATALOG.category(code)
    assert entry is not None
    return entry.name(locale)


async def ask_stats(
    api: FakeBotAPI, user: FakeUser, chat: FakeChat | None = None
) -> tuple[str, bytes]:
    """/stats: the text, and the bytes of the chart the bot uploaded after it."""
    mark = api.mark()
    api.send_command(user, "/stats", chat=chat)
    text = await api.next_reply(chat or user, after=mark)
    photo = await api.wait_for("sendPhoto", after=mark)
    assert photo.ok and photo.message is not None and photo.message.file_id
    assert photo.message.chat_id == (chat or user).id
    return text.plain_text or "", api.files[photo.message.file_id].data


def case_buttons(case: str) -> list[str]:
    """Every button a case card shows, at any stage."""
    return [
        data("acc", case),
        data("ask", case),
        data("cls", case),
        data("res", case, "ref"),
        data("ok", case, "ref"),
        data("mov", case),
        data("to", case, "abai"),
        data("bk", case),
    ]


async def refused(
    live: Live,
    user: FakeUser,
    callbacks: list[str] | tuple[str, ...],
    under: SentMessage,
    locale: str,
    answer: str,
) -> None:
    """Each press under ``under`` is answered with ``answer`` in ``locale``, and nothing is sent,
    edited or stored."""
    api = live.api
    expected = said(live, locale, answer)
    for callback in callbacks:
        before = await content(live.services)
        mark = api.mark()
        answered = await api.answer_to(api.press_forged(user, callback, under))
        await finish_updates(live.dispatcher)
        assert answered.get("text") == expected, callback
        assert [r.method for r in api.requests[mark:] if r.message is not None] == [], callback
        assert await content(live.services) == before, callback


async def submit_reports(settings: Settings, count: int) -> list[str]:
    """Reports stored through the service; their receipt codes."""
    services = await build_services(settings)
    codes = [receipt.generate() for _ in range(count)]
    try:
        for index, code in enumerate(codes):
            await services.reports.submit(
                Submission(
                    new_id(),
                    code,
                    "abai",
                    "police",
                    "week",
                    f"place {index}",
                    f"{BODY} {index}",
                    None,
                    "ru",
                )
            )
    finally:
        await services.close()
    return codes
