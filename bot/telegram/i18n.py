"""Gettext catalogs compiled at start, and the middleware choosing each user's language.

The ``.mo`` files are built from the committed ``.po`` files whenever they are missing or older,
so a fresh clone runs without a build step and never speaks from a stale catalog.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram.types import Chat, TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.settings import SUPPORTED_LOCALES
from storage.prefs import PrefsRepository

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"


def compile_catalogs(path: Path = LOCALES_DIR, domain: str = DOMAIN) -> list[Path]:
    """Write each stale ``.mo`` atomically, so processes starting together never read half."""
    written = []
    for po_path in sorted(path.glob(f"*/LC_MESSAGES/{domain}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        fd, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        Path(temporary).replace(mo_path)
        written.append(mo_path)
    return written


def create_i18n(default_locale: str, path: Path = LOCALES_DIR) -> I18n:
    compile_catalogs(path)
    i18n = I18n(path=path, default_locale=default_locale, domain=DOMAIN)
    missing = set(SUPPORTED_LOCALES) - set(i18n.locales)
    if missing:
        raise RuntimeError(f"translation catalogs missing for: {', '.join(sorted(missing))}")
    return i18n


def locale_from_telegram(user: User | None, default: str) -> str:
    code = (user.language_code or "").split("-")[0].lower() if user else ""
    return code if code in SUPPORTED_LOCALES else default


ChatLocale = Callable[[int], Awaitable[str | None]]
GROUPS = frozenset({"group", "supergroup"})


class LocaleChooser:
    """In a group that is a department chat, the chat's language, whoever writes or presses:
    one language per chat. Elsewhere the user's saved choice, then Telegram's language_code,
    then DEFAULT_LOCALE."""

    def __init__(self, prefs: PrefsRepository, chat_locale: ChatLocale, default: str) -> None:
        self._prefs = prefs
        self._chat_locale = chat_locale
        self._default = default

    async def __call__(self, data: dict[str, Any]) -> str:
        """From an update's handler data (``event_chat``, ``event_from_user``, ``user_key``)."""
        chat: Chat | None = data.get("event_chat")
        if chat is not None and chat.type in GROUPS:
            locale = await self._chat_locale(chat.id)
            if locale is not None:
                return locale
        user_key: bytes | None = data.get("user_key")
        saved = await self._prefs.get_locale(user_key) if user_key else None
        return saved or locale_from_telegram(data.get("event_from_user"), self._default)


class LocaleMiddleware(I18nMiddleware):
    """Puts ``locale``, as ``LocaleChooser`` picks it, into the handler data and into gettext."""

    def __init__(self, i18n: I18n, choose: LocaleChooser) -> None:
        super().__init__(i18n)
        self._choose = choose

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        locale = await self._choose(data)
        data["locale"] = locale
        return locale
