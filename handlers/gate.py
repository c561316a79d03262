"""Who is acting: officers' actions need a person on the roster, from their own account.

An anonymous group admin's messages come from GroupAnonymousBot with ``sender_chat`` set to the
group, a channel's from Channel_Bot, Telegram's own from 777000: every such sender would share
one audit identity and could be anyone, so they are refused with a hint to act as oneself.
"""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message, User
from aiogram.utils.i18n import gettext as _

from bot.departments.roster import SERVICE_ACCOUNTS, Person


def own_account(event: Message | CallbackQuery) -> bool:
    if isinstance(event, Message) and event.sender_chat is not None:
        return False
    return event.from_user is not None and event.from_user.id not in SERVICE_ACCOUNTS


def only_officers() -> str:
    return _("Only the department's officers can do this.")


def act_as_yourself() -> str:
    return _(
        "Please act from your own account: anonymous admins, channels and Telegram's service "
        "accounts cannot act on cases."
    )


async def refuse(event: Message | CallbackQuery, text: str) -> None:
    """A toast for a button, a message for a command."""
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=False)
    else:
        await event.answer(text)


def person_of(user: User) -> Person:
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return Person(user.id, name, user.username)
