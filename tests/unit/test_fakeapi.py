"""Tests of the fake Bot API server itself, driven through a real aiogram Bot."""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)
from hypothesis import given
from hypothesis import strategies as st

from tests.fakeapi import FakeBotAPI, FakeUser, HTMLParseError, parse_html, utf16_len
from tests.fakeapi.fixtures import TEST_TOKEN
from tests.support.speech import audio_file, spoken


class SendMessages(TelegramMethod[bool]):
    """A method Telegram doesn't have (a typo of sendMessage)."""

    __returning__ = bool
    __api_method__ = "sendMessages"

    chat_id: int
    text: str


@pytest.fixture
def user(fake_api: FakeBotAPI) -> FakeUser:
    return fake_api.make_user(first_name="Айгерим", username="aigerim")


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def keyboard(*callback_data: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=f"b{i}", callback_data=d) for i, d in enumerate(callback_data)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


async def test_send_message_html_is_parsed_and_recorded(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    source = '😀 <b>Сәлем</b>, <a href="https://adal.kz/?a=1&amp;b=2">сілтеме</a> &lt;3'
    message = await fake_bot.send_message(user.id, source, parse_mode="HTML")

    assert message.text == "😀 Сәлем, сілтеме <3"
    assert message.from_user is not None and message.from_user.username == "adal_test_bot"
    assert [(e.type, e.offset, e.length) for e in message.entities or []] == [
        ("bold", 3, 5),  # the emoji is 2 UTF-16 code units
        ("text_link", 10, 7),
    ]
    assert message.entities and message.entities[1].url == "https://adal.kz/?a=1&b=2"
    [sent] = fake_api.messages_in(user)
    assert (sent.message_id, sent.text, sent.plain_text) == (
        message.message_id,
        source,
        message.text,
    )


async def test_message_ids_increase_per_chat(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    other = fake_api.make_user()
    fake_api.send_text(user, "салем")  # message 1 in the user's chat
    first = await fake_bot.send_message(user.id, "a")
    second = await fake_bot.send_message(user.id, "b")
    elsewhere = await fake_bot.send_message(other.id, "c")
    assert (first.message_id, second.message_id, elsewhere.message_id) == (2, 3, 1)


async def test_text_longer_than_4096_is_rejected(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    with pytest.raises(TelegramBadRequest, match="too long"):
        await fake_bot.send_message(user.id, "a" * 4097)
    [violation] = fake_api.take_violations()
    assert "4097 UTF-16" in violation
    assert fake_api.messages_in(user) == []


async def test_tags_and_entities_do_not_count_towards_the_limit(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    text = "<b>" + "a" * 4090 + "</b><i>&amp;&lt;&gt;&quot;&#1241;&#x4D9;</i>"  # 4096 after parsing
    message = await fake_bot.send_message(user.id, text, parse_mode="HTML")
    assert message.text is not None and len(message.text) == 4096
    assert message.text.endswith('&<>"әә')


async def test_astral_emoji_counts_as_two_utf16_units(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    await fake_bot.send_message(user.id, "😀" + "a" * 4094)  # 4096 units
    with pytest.raises(TelegramBadRequest, match="too long"):
        await fake_bot.send_message(user.id, "😀" + "a" * 4095)  # 4096 code points, 4097 units
    assert len(fake_api.take_violations()) == 1


@pytest.mark.parametrize(
    "text",
    [
        "<b>x",
        "<i><b>x</i></b>",
        "a < b",
        "a > b",
        "Tom & Jerry",
        "<div>x</div>",
        "&nbsp;",
        "<span>x</span>",
        "<br/>",
        "<pre><b>x</b></pre>",
        "x</b>",
    ],
)
async def test_malformed_html_is_rejected(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser, text: str
) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await fake_bot.send_message(user.id, text, parse_mode="HTML")
    assert len(fake_api.take_violations()) == 1
    assert fake_api.messages_in(user) == []


async def test_every_telegram_tag_is_accepted(fake_bot: Bot, user: FakeUser) -> None:
    text = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins>"
        "<s>s</s><strike>k</strike><del>d</del>"
        '<span class="tg-spoiler">p</span><tg-spoiler>t</tg-spoiler><a href="tg://user?id=1">a</a>'
        '<code>c</code><pre><code class="language-python">x</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>w</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    message = await fake_bot.send_message(user.id, text, parse_mode="HTML")
    assert message.text == "bsieunskdptacxqw👍"
    assert [(e.type, e.offset) for e in message.entities or []] == [
        ("bold", 0),
        ("bold", 1),
        ("italic", 2),
        ("italic", 3),
        ("underline", 4),
        ("underline", 5),
        ("strikethrough", 6),
        ("strikethrough", 7),
        ("strikethrough", 8),
        ("spoiler", 9),
        ("spoiler", 10),
        ("text_link", 11),
        ("code", 12),
        ("pre", 13),
        ("blockquote", 14),
        ("expandable_blockquote", 15),
        ("custom_emoji", 16),
    ]
    assert message.entities is not None and message.entities[13].language == "python"


async def test_caption_over_1024_is_rejected(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    photo = BufferedInputFile(b"jpeg", "a.jpg")
    await fake_bot.send_photo(
        user.id, photo, caption="<b>" + "c" * 1024 + "</b>", parse_mode="HTML"
    )
    with pytest.raises(TelegramBadRequest, match="caption"):
        await fake_bot.send_photo(user.id, photo, caption="c" * 1025)
    assert len(fake_api.take_violations()) == 1


async def test_callback_data_is_limited_to_64_utf8_bytes(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    await fake_bot.send_message(user.id, "ok", reply_markup=keyboard("ә" * 32))  # 64 bytes
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await fake_bot.send_message(user.id, "too long", reply_markup=keyboard("ә" * 32 + "a"))
    [violation] = fake_api.take_violations()
    assert "65 bytes" in violation


async def test_bad_buttons_and_answers_are_rejected(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    no_action = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x")]])
    with pytest.raises(TelegramBadRequest, match="exactly one action"):
        await fake_bot.send_message(user.id, "x", reply_markup=no_action)
    with pytest.raises(TelegramBadRequest, match="non-empty"):
        await fake_bot.send_message(
            user.id,
            "x",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text=" ", callback_data="d")]]
            ),
        )
    menu = await fake_bot.send_message(user.id, "x", reply_markup=keyboard("ok"))
    query = fake_api.press(user, "ok", menu.message_id)
    with pytest.raises(TelegramBadRequest, match="callback answer"):
        await fake_bot.answer_callback_query(query["id"], text="я" * 201)
    assert len(fake_api.take_violations()) == 3
    await fake_bot.answer_callback_query(query["id"], text="я" * 200)
    assert fake_api.unanswered_callback_queries() == []


async def test_unknown_field_is_rejected(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    with pytest.raises(TelegramBadRequest, match="unknown field"):
        await fake_bot(SendMessage(chat_id=user.id, text="x", disable_web_page_preview=True))
    [violation] = fake_api.take_violations()
    assert violation == "sendMessage: disable_web_page_preview: unknown field of sendMessage"


async def test_missing_required_field_and_wrong_type_are_rejected(
    fake_api: FakeBotAPI, http: aiohttp.ClientSession, user: FakeUser
) -> None:
    url = f"{fake_api.base_url}/bot{TEST_TOKEN}/sendMessage"
    async with http.post(url, data={"chat_id": str(user.id)}) as response:
        assert response.status == 400
        assert (await response.json())[
            "description"
        ] == "Bad Request: text: missing required field of sendMessage"
    async with http.post(
        url, json={"chat_id": user.id, "text": "x", "disable_notification": "yes"}
    ) as response:
        assert response.status == 400
    assert fake_api.take_violations() == [
        "sendMessage: text: missing required field of sendMessage",
        "sendMessage: disable_notification: expected Boolean, got str 'yes'",
    ]


async def test_unknown_method_is_rejected(
    fake_api: FakeBotAPI, fake_bot: Bot, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(TelegramBadRequest, match="unknown method"):
        await fake_bot(SendMessages(chat_id=1, text="x"))
    async with http.post(f"{fake_api.base_url}/bot{TEST_TOKEN}/getme") as response:
        assert response.status == 400  # method names are checked exactly as the spec spells them
    assert fake_api.take_violations() == [
        "sendMessages: unknown method 'sendMessages'",
        "getme: unknown method 'getme'",
    ]


async def test_json_and_urlencoded_bodies_are_accepted(
    fake_api: FakeBotAPI, http: aiohttp.ClientSession, user: FakeUser
) -> None:
    url = f"{fake_api.base_url}/bot{TEST_TOKEN}/sendMessage"
    markup = '{"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}'
    async with http.post(
        url, data={"chat_id": str(user.id), "text": "form", "reply_markup": markup}
    ) as response:
        assert response.status == 200
        assert (await response.json())["result"]["reply_markup"]["inline_keyboard"][0][0][
            "text"
        ] == "a"
    async with http.post(url, json={"chat_id": user.id, "text": "json"}) as response:
        body = await response.json()
        assert body["ok"] is True and body["result"]["text"] == "json"
    assert [m.text for m in fake_api.messages_in(user)] == ["form", "json"]


async def test_get_updates_long_poll_wakes_on_push_and_offset_confirms(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    poll = asyncio.create_task(fake_bot.get_updates(timeout=10))
    await fake_api.wait_polling()
    started = time.monotonic()
    message = fake_api.send_command(user, "/start r_abai")
    [update] = await poll
    assert time.monotonic() - started < 2
    assert update.message is not None and update.message.text == "/start r_abai"
    assert update.message.entities is not None and update.message.entities[0].type == "bot_command"
    assert update.message.message_id == message["message_id"]
    assert update.message.from_user is not None and update.message.from_user.language_code == "kk"

    # Not confirmed yet: a restarted bot (offset=None) gets it again.
    assert [u.update_id for u in await fake_bot.get_updates()] == [update.update_id]
    # Confirmed by offset: never returned again, and an empty short poll returns [] at once.
    assert await fake_bot.get_updates(offset=update.update_id + 1) == []
    assert await fake_bot.get_updates() == []
    assert fake_api.pending_updates == []


async def test_get_updates_times_out_with_empty_list(fake_bot: Bot) -> None:
    started = time.monotonic()
    assert await fake_bot.get_updates(timeout=1) == []
    assert 0.9 < time.monotonic() - started < 3


async def test_newer_poll_terminates_older_one(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    """Like Telegram: a second poller (e.g. the restarted bot) wins, the old one gets 409."""
    old = asyncio.create_task(fake_bot.get_updates(timeout=10))
    await fake_api.wait_polling()
    since = fake_api.poll_count
    new = asyncio.create_task(fake_bot.get_updates(timeout=10))
    await fake_api.wait_polling(since=since)
    with pytest.raises(TelegramConflictError):
        await old
    fake_api.send_text(user, "hello")
    [update] = await new
    assert update.message is not None and update.message.text == "hello"


async def test_allowed_updates_filters_delivery(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    sent = await fake_bot.send_message(user.id, "choose", reply_markup=keyboard("yes"))
    fake_api.press(user, "yes", sent.message_id)
    fake_api.send_text(user, "text")
    updates = await fake_bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["text"]
    assert len(updates) == 1
    assert "callback_query" in fake_api.dropped_updates[0]


async def test_press_edit_and_next_reply(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    menu = await fake_bot.send_message(user.id, "Тіл?", reply_markup=keyboard("lang:kk", "lang:ru"))
    mark = fake_api.mark()
    query = fake_api.press(user, "lang:ru")
    [update] = await fake_bot.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "lang:ru"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == menu.message_id

    await fake_bot.answer_callback_query(query["id"])
    await fake_bot.edit_message_text(
        "Язык: <b>русский</b>", chat_id=user.id, message_id=menu.message_id, parse_mode="HTML"
    )
    reply = await fake_api.next_reply(user, after=mark)
    assert (reply.message_id, reply.plain_text, reply.edit_count) == (
        menu.message_id,
        "Язык: русский",
        1,
    )
    assert reply.buttons == []  # editing without reply_markup removes the keyboard, as in Telegram
    with pytest.raises(LookupError):
        fake_api.press(user, "lang:kk", menu.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await fake_bot.edit_message_text(
            "Язык: <b>русский</b>", chat_id=user.id, message_id=menu.message_id, parse_mode="HTML"
        )
    answer = await fake_api.wait_for(
        "answerCallbackQuery", lambda r: r.params["callback_query_id"] == query["id"]
    )
    assert answer.ok and fake_api.unanswered_callback_queries() == []
    assert fake_api.violations == []  # "not modified" is a state error, not a protocol violation


async def test_wait_for_times_out_with_a_summary(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    await fake_bot.send_message(user.id, "x")
    mark = fake_api.mark()
    with pytest.raises(TimeoutError, match="no sendMessage request after #1"):
        await fake_api.wait_for("sendMessage", after=mark, timeout=0.2)
    assert (await fake_api.wait_for("sendMessage")).params["text"] == "x"


async def test_user_photo_downloads_byte_identical(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    data = bytes(range(256)) * 100
    message = fake_api.send_photo(user, data, caption="дәлел")
    [update] = await fake_bot.get_updates()
    assert update.message is not None and update.message.photo is not None
    assert update.message.caption == "дәлел"
    downloaded = await fake_bot.download(update.message.photo[-1].file_id)
    assert downloaded is not None and downloaded.read() == data
    assert message["photo"][-1]["file_size"] == len(data)


async def test_file_over_20mb_cannot_be_fetched(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    message = fake_api.send_document(
        user, b"%PDF", "big.pdf", "application/pdf", file_size=21 * 1024 * 1024
    )
    assert message["document"]["file_size"] == 21 * 1024 * 1024
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await fake_bot.get_file(message["document"]["file_id"])
    assert fake_api.violations == []


async def test_uploaded_files_get_ids_and_can_be_resent(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    group = fake_api.make_group("Модераторлар")
    sent = await fake_bot.send_document(user.id, BufferedInputFile(b"report", "report.txt"))
    assert sent.document is not None and sent.document.file_name == "report.txt"
    assert fake_api.files[sent.document.file_id].data == b"report"
    again = await fake_bot.send_document(group.id, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    album = await fake_bot.send_media_group(
        group.id,
        [
            InputMediaPhoto(media=BufferedInputFile(b"1", "1.jpg")),
            InputMediaPhoto(media=BufferedInputFile(b"2", "2.jpg")),
        ],
    )
    assert len({m.media_group_id for m in album}) == 1
    assert [fake_api.files[m.photo[-1].file_id].data for m in album if m.photo] == [b"1", b"2"]
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await fake_bot.send_photo(group.id, sent.document.file_id)


async def test_send_voice_takes_only_ogg_opus(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    """Telegram plays only OGG/Opus as a voice note; anything else would reach the chat as a
    file, so an upload of it is a violation."""
    note = spoken("ru")
    sent = await fake_bot.send_voice(user.id, BufferedInputFile(note, "voice.ogg"), duration=5)
    assert sent.voice is not None and sent.voice.duration == 5
    assert fake_api.files[sent.voice.file_id].data == note
    await fake_bot.send_voice(user.id, sent.voice.file_id)
    first_page = note.index(b"OggS", 4)
    not_opus = {
        "text.ogg": b"ogg",
        "voice.mp3": audio_file("ru", "mp3"),
        "speex.ogg": note.replace(b"OpusHead", b"Speex   ", 1),
        "headless.ogg": note[first_page:],
    }
    for name, data in not_opus.items():
        with pytest.raises(TelegramBadRequest, match="not OGG/Opus"):
            await fake_bot.send_voice(user.id, BufferedInputFile(data, name))
    assert fake_api.take_violations() == [
        f"sendVoice: voice: {name!r} is not OGG/Opus: Telegram would show a file, not a voice note"
        for name in not_opus
    ]
    assert [m.kind for m in fake_api.messages_in(user)] == ["voice", "voice"]


async def test_fail_next_429_raises_retry_after(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    fake_api.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await fake_bot.send_message(user.id, "x")
    assert caught.value.retry_after == 7
    await fake_bot.send_message(user.id, "retried")
    assert [m.text for m in fake_api.messages_in(user)] == ["retried"]


async def test_delete_messages_in_a_private_chat_within_48_hours(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    typed = fake_api.send_text(user, "салем")["message_id"]
    first = await fake_bot.send_message(user.id, "a")
    second = await fake_bot.send_message(user.id, "b")
    assert await fake_bot.delete_messages(user.id, [typed, first.message_id, 999])
    assert [m["message_id"] for m in fake_api.all_messages()] == [second.message_id]
    assert [m.deleted for m in fake_api.messages_in(user, include_deleted=True)] == [True, False]

    old = fake_api.send_text(user, "ескі")["message_id"]
    fake_api.backdate(user, old, 48 * 3600)
    with pytest.raises(TelegramBadRequest, match="can't be deleted"):
        await fake_bot.delete_messages(user.id, [second.message_id, old])
    with pytest.raises(TelegramBadRequest, match="can't be deleted"):
        await fake_bot.delete_message(user.id, old)
    assert {m["message_id"] for m in fake_api.all_messages()} == {second.message_id, old}
    with pytest.raises(TelegramBadRequest, match="message_ids"):
        await fake_bot.delete_messages(user.id, list(range(1, 102)))
    assert fake_api.take_violations() == ["deleteMessages: message_ids: 101 identifiers (1 to 100)"]


async def test_blocked_user_gives_403_and_forward_is_recorded(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    fake_api.block(user)
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await fake_bot.send_message(user.id, "x")
    fake_api.unblock(user)
    group = fake_api.make_group()
    original = fake_api.send_text(user, "secret")
    await fake_bot.forward_message(group.id, user.id, original["message_id"])
    [forward] = fake_api.calls("forwardMessage")
    assert forward.params["from_chat_id"] == user.id


async def test_rate_limit_answers_429_and_counts_the_peak(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    fake_api.set_rate_limit(3, retry_after=2)
    for i in range(3):
        await fake_bot.send_message(user.id, str(i))
    with pytest.raises(TelegramRetryAfter) as caught:
        await fake_bot.send_message(user.id, "one too many")
    assert caught.value.retry_after == 2
    assert fake_api.max_messages_per_second() == 3
    assert fake_api.max_messages_per_second(fake_api.make_user()) == 0


async def test_bot_settings_and_responses_match_the_spec(
    fake_api: FakeBotAPI, fake_bot: Bot, user: FakeUser
) -> None:
    """Everything the fake returns must itself be valid per bot-api.json."""
    await fake_bot.delete_webhook(drop_pending_updates=True)
    await fake_bot.get_me()
    await fake_bot.set_my_commands(
        [BotCommand(command="start", description="Бастау")], language_code="kk"
    )
    assert [c.command for c in await fake_bot.get_my_commands(language_code="kk")] == ["start"]
    await fake_bot.set_my_description("Сипаттама")
    await fake_bot.set_my_short_description("Қысқа")
    await fake_bot.set_chat_menu_button()
    await fake_bot.send_chat_action(user.id, "typing")
    await fake_bot.get_chat(user.id)
    photo = fake_api.send_photo(user, b"p")
    await fake_bot.copy_message(user.id, user.id, photo["message_id"], caption="<i>copy</i>")
    voice = await fake_bot.send_voice(user.id, BufferedInputFile(spoken("ru"), "v.ogg"))
    await fake_bot.send_video(user.id, BufferedInputFile(b"mp4", "v.mp4"), caption="v")
    await fake_bot.send_audio(user.id, BufferedInputFile(b"mp3", "a.mp3"))
    await fake_bot.edit_message_caption(
        chat_id=user.id, message_id=voice.message_id, caption="жаңа"
    )
    fake_api.send_voice(user, b"ogg")
    fake_api.send_video(user, b"mp4")
    fake_api.send_sticker(user)
    await fake_bot.get_updates()
    await fake_bot.delete_message(user.id, voice.message_id)
    assert fake_api.descriptions == {"": "Сипаттама"} and fake_api.short_descriptions == {
        "": "Қысқа"
    }

    for request in fake_api.requests:
        assert request.ok, request
        returns = fake_api.spec.methods[request.method]["returns"]
        assert fake_api.spec.check_value(request.result, returns, request.method) == []
    assert {r.method for r in fake_api.requests} == {
        "deleteWebhook",
        "getMe",
        "setMyCommands",
        "getMyCommands",
        "setMyDescription",
        "setMyShortDescription",
        "setChatMenuButton",
        "sendChatAction",
        "getChat",
        "copyMessage",
        "sendVoice",
        "sendVideo",
        "sendAudio",
        "editMessageCaption",
        "getUpdates",
        "deleteMessage",
    }


async def test_spec_check_finds_nested_problems(fake_api: FakeBotAPI) -> None:
    check = fake_api.spec.check_params
    assert check("sendMessage", {"chat_id": 1, "text": "x"}) == []
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a", "colour": "red"}]]}
    assert check("sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup}) == [
        "reply_markup.inline_keyboard[0][0].colour: unknown field of InlineKeyboardButton"
    ]
    media = [{"type": "photo", "media": "x", "duration": 1}]
    assert check("sendMediaGroup", {"chat_id": 1, "media": media}) != []
    with pytest.raises(ValueError, match="invalid Update"):
        fake_api.push_update({"message": {"text": "no id, date or chat"}})


@given(st.text())
def test_escaped_text_round_trips_through_the_html_parser(text: str) -> None:
    parsed = parse_html(html.escape(text, quote=False))
    assert parsed.text == text
    assert parsed.entities == []
    assert utf16_len(text) == len(text.encode("utf-16-le")) // 2


def test_html_parser_reports_byte_offsets() -> None:
    with pytest.raises(HTMLParseError, match="byte offset 5"):
        parse_html("әә <div>")
