"""The user's language choice."""

from __future__ import annotations

from bot.settings import SUPPORTED_LOCALES
from storage.prefs import PrefsRepository


class LanguageService:
    def __init__(self, prefs: PrefsRepository) -> None:
        self._prefs = prefs

    async def choose(self, user_key: bytes, locale: str) -> bool:
        """Save the choice; False for a locale the bot does not speak (a forged button)."""
        if locale not in SUPPORTED_LOCALES:
            return False
        await self._prefs.set_locale(user_key, locale)
        return True
