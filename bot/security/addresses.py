"""Telegram chats the bot writes to on its own (departments, admins, opted-in reporters).

A chat is stored as a keyed hash (to find it) and a sealed id (to write to it), never plainly:
an officer linked in private is a person, and a reporter's chat is their account.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.security.crypto import Cipher, Pseudonyms
from bot.settings import KEY_BYTES

CHATS = "chat"  # departments, admins and opted-in reporters: where the outbox writes
SUBSCRIBERS = "subscriber"  # news subscribers


@dataclass(frozen=True, slots=True)
class ChatAddress:
    key: bytes
    ref: bytes


class ChatAddresses:
    """``purpose`` separates the address books: a subscriber's key is not their contact's key."""

    def __init__(self, cipher: Cipher, pseudonyms: Pseudonyms, purpose: str = CHATS) -> None:
        self._cipher = cipher
        self._pseudonyms = pseudonyms
        self._purpose = purpose

    def key(self, chat_id: int) -> bytes:
        return self._pseudonyms.digest(self._purpose, chat_id)

    def address(self, chat_id: int) -> ChatAddress:
        key = self.key(chat_id)
        return ChatAddress(
            key, self._cipher.seal_text(str(chat_id), address_aad(self._purpose, key))
        )

    def one_time(self, chat_id: int) -> ChatAddress:
        """A reporter's address for one message: a random key, shared with no other row.

        A keyed hash of the chat would be the same under every report of one person, so a stolen
        database would show which reports share an author; and with the pseudonym key, trying
        Telegram ids would name them. The delivery forgets the address once the message is sent.
        """
        key = os.urandom(KEY_BYTES)
        return ChatAddress(
            key, self._cipher.seal_text(str(chat_id), address_aad(self._purpose, key))
        )

    def chat_id(self, key: bytes, ref: bytes) -> int:
        return int(self._cipher.open_text(ref, address_aad(self._purpose, key)))

    def actor(self, user_id: int) -> bytes:
        """An officer's pseudonym for the audit log."""
        return self._pseudonyms.digest("officer", user_id)


def address_aad(purpose: str, key: bytes) -> str:
    return f"{purpose}:{key.hex()}:id"
