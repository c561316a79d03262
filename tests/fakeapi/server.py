"""A local fake of the Telegram Bot API server for end-to-end bot tests.

One instance simulates one Telegram "world": users and groups, the update
queue a bot long-polls, every chat's message history and uploaded files.
Every request is validated against the Bot API spec and Telegram's limits;
anything a real server would reject is appended to ``violations``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import itertools
import json
import re
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from .html import utf16_len
from .validation import (
    ATTACH_PREFIX,
    BotAPISpec,
    UploadedFile,
    check_limits,
    check_uploads,
    decode_form,
    format_text,
)

JSON = dict[str, Any]

#: Telegram refuses getFile for bigger files ("file is too big").
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
#: A bot can delete a message in a private chat only this long after it was sent.
DELETE_WINDOW = 48 * 3600
#: Update types delivered when a bot never passed ``allowed_updates``.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
REPLY_METHODS = ("sendMessage", "editMessageText")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Telegram's ``telegram-web-app.js`` for Mini Apps, as the tests' stand-in serves it.
WEB_APP_SCRIPT = Path(__file__).resolve().parents[1] / "support" / "telegram-web-app.js"
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: Pause before Telegram posts an update again that its webhook did not acknowledge.
WEBHOOK_RETRY_SECONDS = 0.2
WEBHOOK_CONNECTIONS = 40
"""Telegram's default ``max_connections`` of a webhook."""
#: Methods that put a new message into a chat; they count for the rate limit.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendVideo",
        "sendVoice",
        "sendAudio",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
_MEDIA_KINDS = ("photo", "document", "video", "voice", "audio")
_FILE_FOLDERS = {
    "photo": ("photos", ".jpg"),
    "document": ("documents", ""),
    "video": ("videos", ".mp4"),
    "voice": ("voice", ".oga"),
    "audio": ("music", ".mp3"),
    "sticker": ("stickers", ".webp"),
}
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
DEFAULT_FAULTS = {
    400: "Bad Request: injected failure",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
}


def fault_answer(
    error_code: int, retry_after: int | None, description: str | None
) -> tuple[int | None, str]:
    """An injected error's ``retry_after`` and description, as Telegram would give them: a 429
    always says when to retry."""
    if error_code == 429 and retry_after is None:
        retry_after = 1
    if description is None:
        description = DEFAULT_FAULTS.get(error_code, f"Error {error_code}").format(
            retry_after=retry_after
        )
    return retry_after, description


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user; its private chat with the bot has ``chat_id == id``."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass(frozen=True)
class FakeChat:
    """A chat: private (one per FakeUser), group or supergroup."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


ChatRef = int | FakeUser | FakeChat


@dataclass
class SentMessage:
    """A message the bot sent, kept up to date by edits.

    ``text``/``caption`` are the source the bot sent (HTML if parse_mode=HTML);
    ``plain_text`` is what the user sees.
    """

    chat_id: int
    message_id: int
    kind: str  # "text", "photo", "document", "video", "voice" or "audio"
    raw: JSON  # the Message object as the bot last received it
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    # Any markup, including reply keyboards (Message objects only echo inline ones).
    reply_markup: JSON | None = None
    file_id: str | None = None
    edit_count: int = 0
    deleted: bool = False

    @property
    def plain_text(self) -> str | None:
        """Text or caption after entity parsing, as a Telegram client shows it."""
        return self.raw.get("text", self.raw.get("caption"))

    @property
    def buttons(self) -> list[JSON]:
        """Inline keyboard buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, label: str) -> JSON:
        """The inline button whose text contains ``label``."""
        for button in self.buttons:
            if label in button["text"]:
                return button
        raise LookupError(f"no button containing {label!r} in {[b['text'] for b in self.buttons]}")


@dataclass
class RecordedRequest:
    """One Bot API call as the server saw and answered it."""

    index: int
    method: str
    params: JSON  # decoded; uploaded files appear as UploadedFile
    time: float  # time.monotonic() at arrival
    status: int
    response: JSON
    message: SentMessage | None = None  # snapshot of the message this call sent or edited

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")


@dataclass
class StoredFile:
    """A file the server knows; ``file_size`` may exceed ``len(data)`` to fake big files cheaply."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_size: int
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    from_bot: bool = False
    """Uploaded by the bot; otherwise sent by a simulated user."""


@dataclass
class _Fault:
    error_code: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None


@dataclass
class _Call:
    method: str
    token: str
    params: JSON
    files: dict[str, UploadedFile]
    message: SentMessage | None = None


class ApiError(Exception):
    """An error answer, e.g. ``ApiError(400, "Bad Request: chat not found")``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def to_response(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class FakeBotAPI:
    """Fake Telegram Bot API server; see tests/fakeapi/README.md."""

    def __init__(
        self,
        spec_path: Path,
        *,
        bot_username: str = "adal_test_bot",
        bot_first_name: str = "Adal",
        host: str = "127.0.0.1",
    ) -> None:
        self.spec = BotAPISpec.load(spec_path.resolve())
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.requests: list[RecordedRequest] = []
        self.violations: list[str] = []
        self.files: dict[str, StoredFile] = {}  # file_id -> file
        self.dropped_updates: list[JSON] = []  # filtered out by the bot's allowed_updates
        # callback_query_id -> params of the answerCallbackQuery call
        self.callback_answers: dict[str, JSON] = {}
        # (scope as sorted JSON, language_code) -> BotCommand dicts
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.descriptions: dict[str, str] = {}  # language_code -> description
        self.short_descriptions: dict[str, str] = {}
        self.menu_buttons: dict[int | None, JSON] = {}  # chat_id (None: default) -> MenuButton
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._paths: dict[str, StoredFile] = {}  # file_path -> file
        self._open_queries: set[str] = set()  # callback queries not answered yet
        self._closing = False
        self._changed = asyncio.Event()
        self._updates: list[JSON] = []
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0  # getUpdates calls so far
        self._webhook: JSON | None = None  # the setWebhook parameters while a webhook is set
        self._webhook_task: asyncio.Task[None] | None = None
        # Where webhook posts go instead of the registered URL's origin (a test's reverse proxy).
        self.webhook_origin: str | None = None
        self.webhook_statuses: list[int] = []  # the bot's answer to each webhook post
        self._waiting_poll = 0  # generation of the long poll in flight, 0 if none
        self._ids = itertools.count(1)
        self._user_ids = itertools.count(100_001)
        self._group_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._chats: dict[int, FakeChat] = {}
        self._blocked: dict[int, str] = {}
        self._messages: dict[int, dict[int, JSON]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._transcripts: dict[int, list[SentMessage]] = {}
        self._faults: dict[str, list[_Fault]] = {}
        self._rate_limit: int | None = None
        self._rate_retry_after = 1
        self._sent_times: list[tuple[float, int]] = []
        self._last_second: deque[float] = deque()  # times of the messages sent within it
        self._handlers: dict[str, Callable[[_Call], Awaitable[Any]]] = {
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getMe": self._get_me,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "setMyDescription": self._set_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "setChatMenuButton": self._set_chat_menu_button,
            "close": self._true,
            "logOut": self._true,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_media,
            "sendDocument": self._send_media,
            "sendVideo": self._send_media,
            "sendVoice": self._send_media,
            "sendAudio": self._send_media,
            "sendMediaGroup": self._send_media_group,
            "sendChatAction": self._send_chat_action,
            "copyMessage": self._copy_message,
            "forwardMessage": self._forward_message,
            "getFile": self._get_file,
            "getChat": self._get_chat,
        }

    # ----------------------------------------------------------------- lifecycle

    async def start(self, port: int = 0) -> None:
        """Listen on ``host`` at ``port``, or at a free port."""
        app = web.Application(client_max_size=60 * 1024 * 1024)  # Telegram accepts 50 MB uploads
        app.router.add_route(
            "*", r"/bot{token:[0-9]+:[A-Za-z0-9_-]+}/{method}", self._handle_method
        )
        app.router.add_get(
            r"/file/bot{token:[0-9]+:[A-Za-z0-9_-]+}/{path:.+}", self._handle_download
        )
        app.router.add_get("/js/telegram-web-app.js", self._handle_web_app_script)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, port))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Release pending long polls at once and shut down."""
        self._closing = True
        self._notify()
        await self._stop_webhook()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        """For ``TelegramAPIServer.from_base(server.base_url)``."""
        return f"http://{self.host}:{self._port}"

    def take_violations(self) -> list[str]:
        """Return and clear the violations, for tests that provoke them on purpose."""
        taken, self.violations = self.violations, []
        return taken

    # ----------------------------------------------------------------- simulated users

    def make_user(
        self,
        id: int | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "kk",
        last_name: str | None = None,
    ) -> FakeUser:
        user = FakeUser(
            id=next(self._user_ids) if id is None else id,
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self._chats[user.id] = FakeChat(
            user.id, "private", username=username, first_name=first_name, last_name=last_name
        )
        return user

    def make_group(
        self, title: str = "Test group", id: int | None = None, type: str = "supergroup"
    ) -> FakeChat:
        """A group or supergroup the bot is a member of."""
        if id is None:
            number = next(self._group_ids)
            id = -1_000_000_000_000 - number if type == "supergroup" else -number
        chat = FakeChat(id, type, title=title)
        self._chats[chat.id] = chat
        return chat

    def block(self, who: FakeUser | FakeChat) -> None:
        """The user blocks the bot, or a group removes it: sending there fails with 403."""
        self._blocked[who.id] = (
            "Forbidden: bot was blocked by the user"
            if isinstance(who, FakeUser)
            else "Forbidden: bot was kicked from the group chat"
        )

    def unblock(self, who: FakeUser | FakeChat) -> None:
        self._blocked.pop(who.id, None)

    def push_update(self, update: JSON) -> JSON:
        """Queue an update for getUpdates (``update_id`` is assigned when missing)."""
        update = {"update_id": next(self._update_ids), **update}
        errors = self.spec.check_object(update, "Update")
        if len(update) != 2:
            errors.append(f"an update carries exactly one payload, got {sorted(update)}")
        if errors:
            raise ValueError(f"invalid Update: {errors}")
        self._updates.append(update)
        self._notify()
        return update

    def send_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat: FakeChat | None = None,
        entities: list[JSON] | None = None,
        reply_to: SentMessage | JSON | None = None,
        forward_origin: JSON | None = None,
    ) -> JSON:
        """The user sends a text message (or forwards one: a MessageOrigin); returns the Message."""
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        if forward_origin is not None:
            content["forward_origin"] = forward_origin
        if reply_to is not None:
            message_id = (
                reply_to.message_id if isinstance(reply_to, SentMessage) else reply_to["message_id"]
            )
            original = self._messages[self.chat_of(user, chat).id][message_id]
            content["reply_to_message"] = {
                k: v for k, v in original.items() if k != "reply_to_message"
            }
        return self._user_message(user, chat, content)

    def send_command(self, user: FakeUser, command: str, *, chat: FakeChat | None = None) -> JSON:
        """E.g. ``send_command(user, "/start r_abai")``, with Telegram's bot_command entity."""
        if not command.startswith("/"):
            raise ValueError("a command starts with /")
        entity = {"type": "bot_command", "offset": 0, "length": utf16_len(command.split()[0])}
        return self.send_text(user, command, chat=chat, entities=[entity])

    def send_photo(
        self,
        user: FakeUser,
        data: bytes,
        *,
        caption: str | None = None,
        chat: FakeChat | None = None,
        file_size: int | None = None,
        width: int = 1280,
        height: int = 960,
    ) -> JSON:
        stored = self._register_file("photo", data, file_size=file_size)
        thumb = self._register_file("photo", data, file_size=file_size)
        photo = [
            self._file_object(
                thumb,
                width=max(1, width * 90 // max(width, height)),
                height=max(1, height * 90 // max(width, height)),
            ),
            self._file_object(stored, width=width, height=height),
        ]
        return self._user_message(user, chat, {"photo": photo, **self._caption(caption)})

    def send_document(
        self,
        user: FakeUser,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        *,
        caption: str | None = None,
        chat: FakeChat | None = None,
        file_size: int | None = None,
        forward_origin: JSON | None = None,
    ) -> JSON:
        stored = self._register_file(
            "document", data, file_size=file_size, file_name=file_name, mime_type=mime_type
        )
        document = self._file_object(stored, file_name=file_name, mime_type=mime_type)
        content = {"document": document, **self._caption(caption)}
        if forward_origin is not None:
            content["forward_origin"] = forward_origin
        return self._user_message(user, chat, content)

    def send_voice(
        self,
        user: FakeUser,
        data: bytes,
        *,
        duration: int = 3,
        chat: FakeChat | None = None,
        file_size: int | None = None,
    ) -> JSON:
        stored = self._register_file("voice", data, file_size=file_size, mime_type="audio/ogg")
        voice = self._file_object(stored, duration=duration, mime_type="audio/ogg")
        return self._user_message(user, chat, {"voice": voice})

    def send_audio(
        self,
        user: FakeUser,
        data: bytes,
        file_name: str = "audio.mp3",
        mime_type: str = "audio/mpeg",
        *,
        duration: int = 3,
        chat: FakeChat | None = None,
        file_size: int | None = None,
    ) -> JSON:
        """An audio file (music, a recording a phone kept), not a voice note."""
        stored = self._register_file(
            "audio", data, file_size=file_size, file_name=file_name, mime_type=mime_type
        )
        audio = self._file_object(
            stored, duration=duration, file_name=file_name, mime_type=mime_type
        )
        return self._user_message(user, chat, {"audio": audio})

    def send_video(
        self,
        user: FakeUser,
        data: bytes,
        *,
        duration: int = 5,
        width: int = 1280,
        height: int = 720,
        caption: str | None = None,
        chat: FakeChat | None = None,
        file_size: int | None = None,
    ) -> JSON:
        stored = self._register_file("video", data, file_size=file_size, mime_type="video/mp4")
        video = self._file_object(
            stored, duration=duration, width=width, height=height, mime_type="video/mp4"
        )
        return self._user_message(user, chat, {"video": video, **self._caption(caption)})

    def private_chats(self) -> list[FakeChat]:
        """Every simulated user's private chat with the bot (its id is the user's id)."""
        return [chat for chat in self._chats.values() if chat.type == "private"]

    def all_messages(self) -> list[JSON]:
        """Every message in every chat, the users' and the bot's, as Message dicts."""
        return [message for chat in self._messages.values() for message in chat.values()]

    def send_content(self, user: FakeUser, content: JSON, *, chat: FakeChat | None = None) -> JSON:
        """Any other message content: ``{"location": {...}}``, a contact, a poll…"""
        return self._user_message(user, chat, content)

    def send_sticker(
        self, user: FakeUser, *, emoji: str = "👍", chat: FakeChat | None = None
    ) -> JSON:
        stored = self._register_file("sticker", b"RIFF\x00\x00\x00\x00WEBP")
        sticker = self._file_object(
            stored,
            type="regular",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
            emoji=emoji,
        )
        return self._user_message(user, chat, {"sticker": sticker})

    def press(
        self,
        user: FakeUser,
        callback_data: str,
        message: SentMessage | int | None = None,
        *,
        chat: FakeChat | None = None,
    ) -> JSON:
        """The user taps an inline button; returns the CallbackQuery dict.

        ``message`` (a SentMessage or message_id) defaults to the newest bot
        message in the chat showing a button with this ``callback_data``.
        Raises LookupError if that message has no such button (any more).
        """
        chat_id = self.chat_of(user, chat).id
        candidates = [m for m in self._transcripts.get(chat_id, []) if not m.deleted]
        if message is not None:
            message_id = message.message_id if isinstance(message, SentMessage) else message
            candidates = [m for m in candidates if m.message_id == message_id]
        for sent in reversed(candidates):
            if any(b.get("callback_data") == callback_data for b in sent.buttons):
                query: JSON = {
                    "id": str(next(self._ids)),
                    "from": user.to_dict(),
                    "message": copy.deepcopy(sent.raw),
                    "chat_instance": str(chat_id),
                    "data": callback_data,
                }
                self._open_queries.add(query["id"])
                self.push_update({"callback_query": query})
                return query
        raise LookupError(
            f"no bot message in chat {chat_id} has a button with callback_data {callback_data!r}"
        )

    def press_forged(self, user: FakeUser, callback_data: str, message: SentMessage | JSON) -> JSON:
        """A callback query with any data, as a modified client could send under ``message``.

        ``message`` is one of the bot's messages, or any Message dict (a user's, in a group).
        """
        raw = message.raw if isinstance(message, SentMessage) else message
        query: JSON = {
            "id": str(next(self._ids)),
            "from": user.to_dict(),
            "message": copy.deepcopy(raw),
            "chat_instance": str(raw["chat"]["id"]),
            "data": callback_data,
        }
        self._open_queries.add(query["id"])
        self.push_update({"callback_query": query})
        return query

    async def answer_to(self, query: JSON, timeout: float = 10.0) -> JSON:
        """The bot's answerCallbackQuery parameters for ``query``."""
        request = await self.wait_for(
            "answerCallbackQuery",
            lambda r: r.params.get("callback_query_id") == query["id"],
            timeout=timeout,
        )
        return request.params

    def unanswered_callback_queries(self) -> list[str]:
        """Queries the bot never answered (the user would see a spinner)."""
        return sorted(self._open_queries, key=int)

    # ----------------------------------------------------------------- observation

    def mark(self) -> int:
        """A position in ``requests``; pass it as ``after=`` to only see later requests."""
        return len(self.requests)

    def calls(self, method: str, *, after: int = 0) -> list[RecordedRequest]:
        return [r for r in self.requests[after:] if r.method == method]

    def backdate(self, chat: ChatRef, message_id: int, seconds: float) -> None:
        """Make a message (the user's or the bot's) ``seconds`` older, e.g. past deletion."""
        self._messages[_chat_id(chat)][message_id]["date"] -= int(seconds)

    def messages_in(self, chat: ChatRef, *, include_deleted: bool = False) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first, with edits applied."""
        return [
            m for m in self._transcripts.get(_chat_id(chat), []) if include_deleted or not m.deleted
        ]

    async def until(self, ready: Callable[[], bool], *, timeout: float = 10.0) -> None:
        """Wait until ``ready()``, re-checked on every change (e.g. a webhook post answered)."""
        if not await self._wait(ready, timeout):
            raise TimeoutError(f"not ready within {timeout}s")

    def take_queued(self) -> list[JSON]:
        """Remove the queued updates: a test posts them itself (``post_to_webhook``)."""
        taken, self._updates = self._updates, []
        return taken

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        after: int = 0,
        timeout: float = 10.0,
    ) -> RecordedRequest:
        """Wait for the first ``method`` request at index >= ``after`` matching ``predicate``.

        Already recorded requests count, so no request is missed between an
        action and this call; raises TimeoutError listing what did arrive.
        """
        return await self._wait_request(
            lambda r: r.method == method and (predicate is None or predicate(r)),
            after,
            timeout,
            method,
        )

    async def next_reply(
        self,
        chat: ChatRef,
        *,
        after: int = 0,
        timeout: float = 10.0,
        methods: Collection[str] = REPLY_METHODS,
        where: Callable[[SentMessage], bool] | None = None,
    ) -> SentMessage:
        """The message state after the next successful sendMessage/editMessageText to ``chat``.

        ``where`` narrows it to the first such message that matches (e.g. shows a button).
        """
        chat_id = _chat_id(chat)
        request = await self._wait_request(
            lambda r: (
                r.ok
                and r.method in methods
                and r.message is not None
                and r.message.chat_id == chat_id
                and (where is None or where(r.message))
            ),
            after,
            timeout,
            f"{'/'.join(methods)} to chat {chat_id}",
        )
        assert request.message is not None
        return request.message

    @property
    def poll_count(self) -> int:
        """getUpdates calls so far; pass to ``wait_polling(since=...)`` around a bot restart."""
        return self._poll_generation

    async def wait_polling(self, *, since: int = 0, timeout: float = 10.0) -> None:
        """Wait until a getUpdates long poll newer than call #``since`` is waiting for updates."""
        if not await self._wait(lambda: self._waiting_poll > since, timeout):
            raise TimeoutError(f"no getUpdates long poll after call #{since} within {timeout}s")

    def max_messages_per_second(self, chat: ChatRef | None = None) -> int:
        """Most messages the bot sent within any 1-second window (optionally to one chat)."""
        times = [t for t, c in self._sent_times if chat is None or c == _chat_id(chat)]
        best = start = 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    # ----------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        *,
        retry_after: int | None = None,
        count: int = 1,
        description: str | None = None,
        chat: ChatRef | None = None,
    ) -> None:
        """Answer the next ``count`` valid ``method`` calls (to ``chat`` if given) with an error."""
        retry_after, description = fault_answer(error_code, retry_after, description)
        chat_id = None if chat is None else _chat_id(chat)
        self._faults.setdefault(method, []).append(
            _Fault(error_code, description, retry_after, count, chat_id)
        )

    def set_rate_limit(self, messages_per_second: int | None, *, retry_after: int = 1) -> None:
        """Answer 429 once ``messages_per_second`` messages went out within a second (all chats)."""
        self._rate_limit = messages_per_second
        self._rate_retry_after = retry_after

    # ----------------------------------------------------------------- HTTP layer

    async def _handle_download(self, request: web.Request) -> web.Response:
        stored = self._paths.get(request.match_info["path"])
        if stored is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_web_app_script(self, request: web.Request) -> web.Response:
        """Telegram's script for Mini Apps, as the tests' stand-in (tests/support/)."""
        return web.Response(body=WEB_APP_SCRIPT.read_bytes(), content_type="text/javascript")

    async def _handle_method(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        method, token = request.match_info["method"], request.match_info["token"]
        call = _Call(method, token, {}, {})
        try:
            await self._read_params(call, request)
            result = await self._dispatch(call)
            status, response = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, response = exc.error_code, exc.to_response()
        except Exception as exc:  # a bug in the fake must fail the test, not hang the bot
            self.violations.append(f"{method}: FakeBotAPI internal error: {exc!r}")
            status, response = 500, ApiError(500, "Internal Server Error").to_response()
        snapshot = copy.deepcopy(call.message) if call.message is not None else None
        self.requests.append(
            RecordedRequest(
                len(self.requests), method, call.params, arrived, status, response, snapshot
            )
        )
        self._notify()
        return web.json_response(response, status=status)

    async def _read_params(self, call: _Call, request: web.Request) -> None:
        """Decode the JSON, urlencoded or multipart body into ``call``; ApiError(400) if invalid."""
        raw: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            with contextlib.suppress(ValueError):
                raw = await request.json()
            if not isinstance(raw, dict):
                raise self._violation(call.method, ["request body is not a JSON object"])
        else:
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    raw[key] = UploadedFile(value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value if isinstance(value, str) else bytes(value).decode("utf-8")
        call.params = raw
        if call.method not in self.spec.methods:
            raise self._violation(call.method, [f"unknown method {call.method!r}"])
        errors: list[str] = []
        if request.content_type != "application/json":
            call.params, call.files, errors = decode_form(self.spec, call.method, raw)
        errors += self.spec.check_params(call.method, call.params)
        errors += check_limits(call.method, call.params)
        errors += check_uploads(call.method, call.params, call.files)
        if errors:
            raise self._violation(call.method, errors)

    def _violation(self, method: str, errors: list[str]) -> ApiError:
        self.violations += [f"{method}: {error}" for error in errors]
        return ApiError(400, f"Bad Request: {errors[0]}")

    async def _dispatch(self, call: _Call) -> Any:
        self._inject_fault(call)
        handler = self._handlers.get(call.method)
        if handler is None:
            self.violations.append(
                f"{call.method}: valid Bot API method, but not simulated by FakeBotAPI"
            )
            raise ApiError(400, f"Bad Request: {call.method} is not supported by the fake server")
        if (
            call.method in MESSAGE_METHODS
            and self._rate_limit is not None
            and self._sent_within_second(time.monotonic()) >= self._rate_limit
        ):
            retry = self._rate_retry_after
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        return await handler(call)

    def _sent_within_second(self, now: float) -> int:
        """Messages sent less than a second before ``now``; older ones leave the window for good."""
        while self._last_second and now - self._last_second[0] >= 1.0:
            self._last_second.popleft()
        return len(self._last_second)

    def _inject_fault(self, call: _Call) -> None:
        for fault in self._faults.get(call.method, []):
            if fault.remaining > 0 and fault.chat_id in (None, _param_chat_id(call.params)):
                fault.remaining -= 1
                raise ApiError(fault.error_code, fault.description, fault.retry_after)

    # ----------------------------------------------------------------- state helpers

    def _notify(self) -> None:
        """Wake every waiter; each re-checks its own condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, ready: Callable[[], bool], seconds: float) -> bool:
        """Wait until ``ready()`` (re-checked on every state change) or ``seconds`` pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            changed = self._changed
            if ready():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _wait_request(
        self, match: Callable[[RecordedRequest], bool], after: int, seconds: float, what: str
    ) -> RecordedRequest:
        cursor = after
        found: list[RecordedRequest] = []

        def ready() -> bool:
            nonlocal cursor
            while cursor < len(self.requests) and not found:
                if match(self.requests[cursor]):
                    found.append(self.requests[cursor])
                cursor += 1
            return bool(found)

        if not await self._wait(ready, seconds):
            recent = ", ".join(
                f"#{r.index} {r.method}->{r.status}"
                for r in self.requests[max(after, len(self.requests) - 15) :]
            )
            raise TimeoutError(
                f"no {what} request after #{after} within {seconds}s; since then: [{recent}]"
            )
        return found[0]

    def chat_of(self, user: FakeUser, chat: FakeChat | None) -> FakeChat:
        return chat if chat is not None else self._chats[user.id]

    def _user_message(self, user: FakeUser, chat: FakeChat | None, content: JSON) -> JSON:
        target = self.chat_of(user, chat)
        message = {
            "message_id": self._next_message_id(target.id),
            "from": user.to_dict(),
            "chat": target.to_dict(),
            "date": int(time.time()),
            **content,
        }
        self.push_update({"message": message})
        self._messages.setdefault(target.id, {})[message["message_id"]] = message
        return message

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    @staticmethod
    def _caption(caption: str | None) -> JSON:
        return {} if caption is None else {"caption": caption}

    def _register_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_size: int | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        from_bot: bool = False,
    ) -> StoredFile:
        number = next(self._ids)
        folder, extension = _FILE_FOLDERS[kind]
        if file_name and "." in file_name:
            extension = file_name[file_name.rindex(".") :]
        stored = StoredFile(
            file_id=f"fake-{kind}-{number}",
            file_unique_id=f"uniq{number}",
            kind=kind,
            data=data,
            file_size=len(data) if file_size is None else file_size,
            file_path=f"{folder}/file_{number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            from_bot=from_bot,
        )
        self.files[stored.file_id] = stored
        self._paths[stored.file_path] = stored
        return stored

    @staticmethod
    def _file_object(stored: StoredFile, **extra: Any) -> JSON:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
            **{k: v for k, v in extra.items() if v is not None},
        }

    def _bot_user(self, token: str) -> JSON:
        return {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _known_chat(self, chat_id: int | str) -> FakeChat:
        """Resolve a chat_id parameter: a known id (maybe as a string) or ``@username``."""
        with contextlib.suppress(ValueError):
            chat_id = int(chat_id)
        known = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if known is not None and known.id == chat_id:
            return known
        for chat in self._chats.values():
            if chat_id == chat.id or (chat.username and chat_id == f"@{chat.username}"):
                return chat
        raise ApiError(400, "Bad Request: chat not found")

    def _target_chat(self, params: JSON) -> FakeChat:
        """The chat a call acts in; a user who blocked the bot makes it fail like Telegram."""
        chat = self._known_chat(params["chat_id"])
        if chat.id in self._blocked:
            raise ApiError(403, self._blocked[chat.id])
        return chat

    def _new_bot_message(
        self, call: _Call, chat: FakeChat, content: JSON, kind: str
    ) -> SentMessage:
        params = call.params
        extra: JSON = {}
        reply = params.get("reply_parameters")
        if reply:
            reply_chat = self._known_chat(reply.get("chat_id", chat.id))
            original = self._messages.get(reply_chat.id, {}).get(reply["message_id"])
            if original is not None:
                extra["reply_to_message"] = {
                    k: v for k, v in original.items() if k != "reply_to_message"
                }
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        if _inline(params):
            extra["reply_markup"] = _inline(params)
        raw: JSON = {
            "message_id": self._next_message_id(chat.id),
            "from": self._bot_user(call.token),
            "chat": chat.to_dict(),
            "date": int(time.time()),
            **content,
            **extra,
        }
        markup = params.get("reply_markup")
        sent = SentMessage(
            chat_id=chat.id,
            message_id=raw["message_id"],
            kind=kind,
            raw=raw,
            text=params.get("text") if kind == "text" else None,
            caption=params.get("caption"),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            file_id=_file_id_of(raw),
        )
        self._messages.setdefault(chat.id, {})[sent.message_id] = raw
        self._transcripts.setdefault(chat.id, []).append(sent)
        now = time.monotonic()
        self._sent_times.append((now, chat.id))
        self._last_second.append(now)
        self._sent_within_second(now)
        call.message = sent
        return sent

    def _stored_file(self, value: Any, kind: str, files: Mapping[str, UploadedFile]) -> StoredFile:
        """Resolve an InputFile-or-String parameter: upload, attach://, file_id or URL."""
        if isinstance(value, str) and value.startswith(ATTACH_PREFIX):
            value = files[value.removeprefix(ATTACH_PREFIX)]
        if isinstance(value, UploadedFile):
            return self._register_file(
                kind,
                value.data,
                file_name=value.filename,
                mime_type=value.content_type or None,
                from_bot=True,
            )
        if value in self.files:
            stored = self.files[value]
            if stored.kind != kind:
                raise ApiError(
                    400, f"Bad Request: type of file mismatch ({stored.kind} sent as {kind})"
                )
            return stored
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return self._register_file(kind, b"", file_name=value.rsplit("/", 1)[-1] or None)
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _media_content(self, stored: StoredFile, kind: str, params: JSON) -> JSON:
        if kind == "photo":
            return {"photo": [self._file_object(stored, width=1280, height=960)]}
        extra: JSON = {"mime_type": stored.mime_type}
        if kind in {"document", "video", "audio"}:
            extra["file_name"] = stored.file_name
        if kind in {"video", "voice", "audio"}:
            extra["duration"] = params.get("duration", 1)
        if kind == "video":
            extra["width"], extra["height"] = params.get("width", 1280), params.get("height", 720)
        return {kind: self._file_object(stored, **extra)}

    def _find_message(self, call: _Call) -> tuple[FakeChat, JSON, SentMessage | None]:
        """The message an edit/delete refers to, and the bot's SentMessage if the bot sent it."""
        if "chat_id" not in call.params or "message_id" not in call.params:
            self.violations.append(
                f"{call.method}: inline_message_id is not simulated; pass chat_id and message_id"
            )
            raise ApiError(400, "Bad Request: inline messages are not supported by the fake server")
        chat = self._target_chat(call.params)
        message_id = call.params["message_id"]
        raw = self._messages.get(chat.id, {}).get(message_id)
        if raw is None:
            verb = "delete" if call.method == "deleteMessage" else "edit"
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        sent = next(
            (m for m in self._transcripts.get(chat.id, []) if m.message_id == message_id), None
        )
        return chat, raw, sent

    def _editable(self, call: _Call) -> SentMessage:
        _, _, sent = self._find_message(call)
        if sent is None:
            raise ApiError(400, "Bad Request: message can't be edited")
        return sent

    def _apply_edit(self, call: _Call, sent: SentMessage, changes: JSON) -> JSON:
        """Apply ``changes`` (None removes a key) to a bot message, like Telegram does."""
        updated = {k: v for k, v in {**sent.raw, **changes}.items() if v is not None}
        if all(updated.get(k) == sent.raw.get(k) for k in changes):
            raise ApiError(400, _NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        sent.raw = updated
        sent.edit_count += 1
        sent.reply_markup = call.params.get("reply_markup")
        self._messages[sent.chat_id][sent.message_id] = updated
        call.message = sent
        return copy.deepcopy(updated)

    # ----------------------------------------------------------------- method handlers

    async def _true(self, call: _Call) -> bool:
        return True

    async def _get_updates(self, call: _Call) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = call.params
        offset = params.get("offset", 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        self._poll_generation += 1
        generation = self._poll_generation
        self._waiting_poll = generation
        self._notify()

        try:
            await self._wait(
                lambda: (
                    self._closing
                    or generation != self._poll_generation
                    or bool(self._deliverable())
                ),
                max(0, params.get("timeout", 0)),
            )
        finally:
            if self._waiting_poll == generation:
                self._waiting_poll = 0
        if generation != self._poll_generation and not self._closing:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return copy.deepcopy(self._deliverable()[: min(max(params.get("limit", 100), 1), 100)])

    def _deliverable(self) -> list[JSON]:
        """The queued updates of allowed types; the others move to ``dropped_updates``."""
        kept = []
        for update in self._updates:
            kind = next(k for k in update if k != "update_id")
            allowed = (
                kind not in DEFAULT_EXCLUDED_UPDATES
                if self._allowed_updates is None
                else kind in self._allowed_updates
            )
            (kept if allowed else self.dropped_updates).append(update)
        self._updates = kept
        return kept

    async def _delete_webhook(self, call: _Call) -> bool:
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        await self._stop_webhook()
        return True

    async def _set_webhook(self, call: _Call) -> bool:
        params = call.params
        url = params.get("url", "")
        if not url:
            await self._stop_webhook()
            return True
        if not url.startswith("https://"):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _WEBHOOK_SECRET.fullmatch(secret):
            raise ApiError(
                400, "Bad Request: bad webhook: secret token contains unallowed characters"
            )
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or None
        self._webhook = dict(params)
        self._poll_generation += 1  # a long poll in flight ends, as a new one would end it
        if self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._post_updates())
        self._notify()
        return True

    async def _get_webhook_info(self, call: _Call) -> JSON:
        info: JSON = {
            "url": (self._webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None and self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _stop_webhook(self) -> None:
        self._webhook = None
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _post_updates(self) -> None:
        """Telegram's side of a webhook: up to ``max_connections`` updates posted at once, one
        per chat at a time (a chat's updates keep their order), each again until the bot
        answers 200."""
        limit = (self._webhook or {}).get("max_connections", WEBHOOK_CONNECTIONS)
        posting: set[int | None] = set()  # chats with an update in flight

        def next_update() -> JSON | None:
            if len(posting) >= limit:
                return None
            return next((u for u in self._deliverable() if chat_of(u) not in posting), None)

        async def post(session: aiohttp.ClientSession, update: JSON) -> None:
            try:
                while not self._closing:
                    self._on_post(update)
                    status = await self._post_webhook(session, json.dumps(update).encode())
                    if status == 200:
                        self._updates = [u for u in self._updates if u is not update]
                        return
                    await asyncio.sleep(WEBHOOK_RETRY_SECONDS)
            finally:
                posting.discard(chat_of(update))
                self._notify()

        connector = aiohttp.TCPConnector(limit=limit)
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            asyncio.TaskGroup() as group,
        ):
            while True:
                await self._wait(lambda: self._closing or next_update() is not None, 3600)
                update = next_update()
                if self._closing or update is None:
                    return
                posting.add(chat_of(update))
                group.create_task(post(session, update))

    def _on_post(self, update: JSON) -> None:
        """Called as an update is posted to the webhook (the benchmarks time it)."""

    async def _post_webhook(
        self, session: aiohttp.ClientSession, body: bytes, secret: str | None = None
    ) -> int:
        """Post ``body`` as Telegram does; the bot's status (0: no answer)."""
        assert self._webhook is not None, "no webhook is set"
        url = self._webhook["url"]
        if self.webhook_origin is not None:
            parts = urlsplit(url)
            url = self.webhook_origin + parts.path + (f"?{parts.query}" if parts.query else "")
        secret = self._webhook.get("secret_token") if secret is None else secret
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = secret
        try:
            async with session.post(url, data=io.BytesIO(body), headers=headers) as answer:
                status = answer.status
        except aiohttp.ClientError:
            status = 0
        self.webhook_statuses.append(status)
        self._notify()
        return status

    async def post_to_webhook(self, body: bytes, *, secret: str) -> int:
        """One post to the registered webhook with ``secret`` in the header ("" sends none), as a
        stranger who found the URL would; the bot's status."""
        async with aiohttp.ClientSession() as session:
            return await self._post_webhook(session, body, secret or "")

    @property
    def webhook(self) -> JSON | None:
        """The parameters of the webhook set, or None."""
        return self._webhook

    async def _get_me(self, call: _Call) -> JSON:
        return {
            **self._bot_user(call.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @staticmethod
    def _commands_key(params: JSON) -> tuple[str, str]:
        scope = json.dumps(params.get("scope", {"type": "default"}), sort_keys=True)
        return scope, params.get("language_code", "")

    async def _set_my_commands(self, call: _Call) -> bool:
        self.commands[self._commands_key(call.params)] = call.params["commands"]
        return True

    async def _get_my_commands(self, call: _Call) -> list[JSON]:
        return self.commands.get(self._commands_key(call.params), [])

    async def _set_my_description(self, call: _Call) -> bool:
        self.descriptions[call.params.get("language_code", "")] = call.params.get("description", "")
        return True

    async def _set_my_short_description(self, call: _Call) -> bool:
        self.short_descriptions[call.params.get("language_code", "")] = call.params.get(
            "short_description", ""
        )
        return True

    async def _set_chat_menu_button(self, call: _Call) -> bool:
        self.menu_buttons[call.params.get("chat_id")] = call.params.get(
            "menu_button", {"type": "default"}
        )
        return True

    async def _send_message(self, call: _Call) -> JSON:
        chat = self._target_chat(call.params)
        parsed = format_text(
            call.params["text"], call.params.get("parse_mode"), call.params.get("entities")
        )
        content: JSON = {"text": parsed.text}
        if parsed.entities:
            content["entities"] = parsed.entities
        return self._new_bot_message(call, chat, content, "text").raw

    def _caption_content(self, params: JSON) -> JSON:
        if "caption" not in params:
            return {}
        parsed = format_text(
            params["caption"], params.get("parse_mode"), params.get("caption_entities")
        )
        return {
            "caption": parsed.text,
            **({"caption_entities": parsed.entities} if parsed.entities else {}),
        }

    async def _send_media(self, call: _Call) -> JSON:
        chat = self._target_chat(call.params)
        kind = call.method.removeprefix("send").lower()
        stored = self._stored_file(call.params[kind], kind, call.files)
        content = {
            **self._media_content(stored, kind, call.params),
            **self._caption_content(call.params),
        }
        return self._new_bot_message(call, chat, content, kind).raw

    async def _send_media_group(self, call: _Call) -> list[JSON]:
        chat = self._target_chat(call.params)
        group_id = str(next(self._ids))
        results = []
        for item in call.params["media"]:
            kind = item["type"]
            stored = self._stored_file(item["media"], kind, call.files)
            content = {
                **self._media_content(stored, kind, item),
                **self._caption_content(item),
                "media_group_id": group_id,
            }
            sent = self._new_bot_message(call, chat, content, kind)
            sent.caption, sent.parse_mode = item.get("caption"), item.get("parse_mode")
            results.append(sent.raw)
        return results

    async def _send_chat_action(self, call: _Call) -> bool:
        self._target_chat(call.params)
        return True

    async def _edit_message_text(self, call: _Call) -> JSON:
        sent = self._editable(call)
        if sent.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        parsed = format_text(
            call.params["text"], call.params.get("parse_mode"), call.params.get("entities")
        )
        changes = {
            "text": parsed.text,
            "entities": parsed.entities or None,
            "reply_markup": _inline(call.params),
        }
        result = self._apply_edit(call, sent, changes)
        sent.text, sent.parse_mode = call.params["text"], call.params.get("parse_mode")
        return result

    async def _edit_message_caption(self, call: _Call) -> JSON:
        sent = self._editable(call)
        if sent.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        content = self._caption_content(call.params)
        changes = {
            "caption": content.get("caption"),
            "caption_entities": content.get("caption_entities"),
            "reply_markup": _inline(call.params),
        }
        result = self._apply_edit(call, sent, changes)
        sent.caption, sent.parse_mode = call.params.get("caption"), call.params.get("parse_mode")
        return result

    async def _edit_message_reply_markup(self, call: _Call) -> JSON:
        return self._apply_edit(call, self._editable(call), {"reply_markup": _inline(call.params)})

    async def _delete_message(self, call: _Call) -> bool:
        chat, raw, sent = self._find_message(call)
        self._check_deletable(chat, [raw])
        del self._messages[chat.id][call.params["message_id"]]
        if sent is not None:
            sent.deleted = True
            call.message = sent
        return True

    async def _delete_messages(self, call: _Call) -> bool:
        """Messages not found are skipped; one that can't be deleted fails the whole call."""
        chat = self._target_chat(call.params)
        messages = self._messages.get(chat.id, {})
        found = [i for i in dict.fromkeys(call.params["message_ids"]) if i in messages]
        self._check_deletable(chat, [messages[i] for i in found])
        for message_id in found:
            del messages[message_id]
        gone = set(found)
        for sent in self._transcripts.get(chat.id, []):
            if sent.message_id in gone:
                sent.deleted = True
        return True

    @staticmethod
    def _check_deletable(chat: FakeChat, messages: list[JSON]) -> None:
        """In a private chat, a bot deletes messages of either side, within 48 hours."""
        now = time.time()
        if chat.type == "private" and any(now - m["date"] >= DELETE_WINDOW for m in messages):
            raise ApiError(400, "Bad Request: message can't be deleted")

    async def _answer_callback_query(self, call: _Call) -> bool:
        query_id = call.params["callback_query_id"]
        if query_id not in self._open_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_queries.discard(query_id)
        self.callback_answers[query_id] = call.params
        return True

    def _copied_content(self, call: _Call) -> tuple[FakeChat, JSON, str, JSON]:
        """Target chat, source message, its kind and the content a copy or forward carries over."""
        source_chat = self._known_chat(call.params["from_chat_id"])
        source = self._messages.get(source_chat.id, {}).get(call.params["message_id"])
        if source is None:
            verb = "copy" if call.method == "copyMessage" else "forward"
            raise ApiError(400, f"Bad Request: message to {verb} not found")
        kind = _kind_of(source)
        keys = {kind, "text", "entities", "caption", "caption_entities"}
        content = {k: copy.deepcopy(v) for k, v in source.items() if k in keys}
        return self._target_chat(call.params), source, kind, content

    async def _copy_message(self, call: _Call) -> JSON:
        chat, source, kind, content = self._copied_content(call)
        if "caption" in call.params:
            content.pop("caption_entities", None)
            content.update(self._caption_content(call.params))
        sent = self._new_bot_message(call, chat, content, kind)
        sent.text = source.get("text")
        return {"message_id": sent.message_id}

    async def _forward_message(self, call: _Call) -> JSON:
        chat, source, kind, content = self._copied_content(call)
        content["forward_origin"] = {
            "type": "user",
            "sender_user": source["from"],
            "date": source["date"],
        }
        sent = self._new_bot_message(call, chat, content, kind)
        sent.text = source.get("text")
        return sent.raw

    async def _get_file(self, call: _Call) -> JSON:
        stored = self.files.get(call.params["file_id"])
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise ApiError(400, "Bad Request: file is too big")
        return {**self._file_object(stored), "file_path": stored.file_path}

    async def _get_chat(self, call: _Call) -> JSON:
        chat = self._known_chat(call.params["chat_id"])
        gifts = (
            "unlimited_gifts",
            "limited_gifts",
            "unique_gifts",
            "premium_subscription",
            "gifts_from_channels",
        )
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }


def _chat_id(chat: ChatRef) -> int:
    return chat if isinstance(chat, int) else chat.id


def _param_chat_id(params: JSON) -> int | None:
    value = params.get("chat_id")
    return value if isinstance(value, int) else None


def _inline(params: JSON) -> JSON | None:
    """The reply_markup a Message object echoes: inline keyboards only."""
    markup = params.get("reply_markup")
    return markup if markup and "inline_keyboard" in markup else None


def _kind_of(message: JSON) -> str:
    return next((kind for kind in (*_MEDIA_KINDS, "sticker") if kind in message), "text")


def _file_id_of(message: JSON) -> str | None:
    kind = _kind_of(message)
    media = message.get(kind)
    if isinstance(media, list):
        media = media[-1]
    return media["file_id"] if isinstance(media, dict) else None


def chat_of(update: JSON) -> int | None:
    """The chat an update is about (a message's, a pressed button's message's), if any."""
    if "message" in update:
        return int(update["message"]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None and "message" in query:
        return int(query["message"]["chat"]["id"])
    return None
