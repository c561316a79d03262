"""Gettext catalogs compiled in memory at start, and the middleware choosing each user's language.

Compiling from the ``.po`` files at start means a fresh clone runs without a build step and the
translations in use can never lag behind the committed catalogs.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.settings import SUPPORTED_LOCALES
from storage.prefs import PrefsRepository

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


class PoI18n(I18n):
    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for po_path in sorted(self.path.glob(f"*/LC_MESSAGES/{self.domain}.po")):
            locale = po_path.parent.parent.name
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            buffer = BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            translations[locale] = gettext.GNUTranslations(buffer)
        return translations


def create_i18n(default_locale: str, path: Path = LOCALES_DIR) -> PoI18n:
    i18n = PoI18n(path=path, default_locale=default_locale, domain=DOMAIN)
    missing = set(SUPPORTED_LOCALES) - set(i18n.locales)
    if missing:
        raise RuntimeError(f"translation catalogs missing for: {', '.join(sorted(missing))}")
    return i18n


def locale_from_telegram(user: User | None, default: str) -> str:
    code = (user.language_code or "").split("-")[0].lower() if user else ""
    return code if code in SUPPORTED_LOCALES else default


class LocaleMiddleware(I18nMiddleware):
    """The user's saved choice first, then Telegram's language_code, then DEFAULT_LOCALE."""

    def __init__(self, i18n: I18n, prefs: PrefsRepository) -> None:
        super().__init__(i18n)
        self._prefs = prefs

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        user_key: bytes | None = data.get("user_key")
        saved = await self._prefs.get_locale(user_key) if user_key else None
        locale = saved or locale_from_telegram(user, self.i18n.default_locale)
        data["locale"] = locale
        return locale
