"""A case card as a department chat sees it: the case, what was done to it, and its buttons.

The card is rendered again from the case's row and its audit log (who did what, when) whenever
it changes, never patched: an officer's action edits it in the chat where the button was pressed
and in the other chats of the region, and a reporter's answer stamps it in the chat it reached,
when it reached it (after its random delay, bot/cases/relay.py: the card must not tell sooner). The
officer is named as the roster knows them, by name only: never a Telegram id or username.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_skeleton, format_time

from bot.cases.views import CaseText, Relayed, case_keyboard, case_messages, undo_keyboard
from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.core.values import CaseStatus
from bot.departments.roster import Person, Roster
from bot.departments.service import DepartmentService
from bot.security.addresses import ChatAddresses
from bot.security.crypto import Cipher
from bot.telegram.sanitize import visible_text
from bot.ui.labels import resolution_labels
from storage.cases import AuditRow, CaseRow, CasesRepository
from storage.outbox import OutboxRepository

logger = logging.getLogger(__name__)

STAMPED = frozenset({"accepted", "asked", "closed", "close_undone", "moved", "reopened"})


@dataclass(frozen=True, slots=True)
class Card:
    parts: list[str]
    markup: InlineKeyboardMarkup | None


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of a case's history as its card shows it (HTML: names and places escaped)."""

    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class _Entry:
    at: datetime
    action: str
    actor: bytes | None = None
    detail: str | None = None


class CaseCards:
    def __init__(
        self,
        *,
        cases: CasesRepository,
        outbox: OutboxRepository,
        departments: DepartmentService,
        roster: Roster,
        chats: ChatAddresses,
        cipher: Cipher,
        catalog: Catalog,
        i18n: I18n,
        deadlines: Deadlines,
        zone: tzinfo,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cases = cases
        self._outbox = outbox
        self._departments = departments
        self._roster = roster
        self._chats = chats
        self._cipher = cipher
        self._catalog = catalog
        self._i18n = i18n
        self._deadlines = deadlines
        self._zone = zone
        self._clock = clock

    async def render(
        self,
        case: CaseRow,
        chat_key: bytes,
        region: str,
        *,
        unrouted: bool = False,
        repeat: bool = False,
        read_only: bool = False,
    ) -> Card:
        """The card in a chat of ``region`` (the case's region, or the one it was moved from: its
        card there keeps no buttons), in that chat's language; ``read_only``: without buttons (a
        card /open brought to a chat that cannot act on the case)."""
        locale = await self._departments.locale_of(chat_key, region)
        history = await self.history(case, locale, chat_key)
        undo_until = (
            await self._cases.undo_until(case.id) if case.status == CaseStatus.CLOSED else None
        )
        text = self.text(case)
        lines = [line.text for line in history]
        with self._i18n.context(), self._i18n.use_locale(locale):
            parts = case_messages(
                case,
                text,
                self._catalog,
                locale,
                self._zone,
                self._deadlines,
                unrouted=unrouted,
                repeat=repeat,
                history=[line for i, line in enumerate(lines) if i == 0 or line != lines[i - 1]],
            )
            markup = None
            if case.status == CaseStatus.CLOSED:
                if undo_until is not None and undo_until > self._clock():
                    markup = undo_keyboard(case)
            elif region == case.region and not read_only:
                markup = case_keyboard(case)
        return Card(parts, markup)

    async def show(
        self, bot: Bot, report_id: str, region: str, chat_id: int, message_id: int
    ) -> None:
        """Edit one chat's card to the case as it is now."""
        case = await self._cases.get(report_id)
        if case is None:
            return
        targets = await self._departments.targets(region)
        card = await self.render(case, self._chats.key(chat_id), region, unrouted=targets.unrouted)
        await self._edit(bot, chat_id, message_id, card)

    async def refresh(
        self,
        bot: Bot,
        report_id: str,
        region: str,
        *,
        only: bytes | None = None,
        skip: bytes | None = None,
    ) -> None:
        """Edit the newest card of the case in the chats of ``region`` (only the chat keyed
        ``only``; all but ``skip``) where one was sent. A chat that refuses is left as it is."""
        case = await self._cases.get(report_id)
        if case is None:
            return
        targets = await self._departments.targets(region)
        for address in targets.addresses:
            if address.key == skip or only not in (None, address.key):
                continue
            message_id = await self._outbox.card_message(case.id, address.key)
            if message_id is None:
                continue
            card = await self.render(case, address.key, region, unrouted=targets.unrouted)
            chat_id = self._chats.chat_id(address.key, address.ref)
            await self._edit(bot, chat_id, message_id, card)

    async def stamp(
        self, bot: Bot, report_id: str, region: str, chat_id: int, message_id: int
    ) -> None:
        """After an officer's action on the card ``message_id``: that card, then the case's
        cards in the region's other chats."""
        await self.show(bot, report_id, region, chat_id, message_id)
        await self.refresh(bot, report_id, region, skip=self._chats.key(chat_id))

    async def _edit(self, bot: Bot, chat_id: int, message_id: int, card: Card) -> None:
        try:
            await bot.edit_message_text(
                text=card.parts[0],
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=card.markup,
            )
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                logger.warning("A case card could not be edited: %s", exc.message)
        except TelegramAPIError as exc:
            logger.warning("A case card could not be edited: %s", type(exc).__name__)

    async def history(
        self, case: CaseRow, locale: str, chat_key: bytes | None = None
    ) -> list[HistoryLine]:
        """The case's history as its card in the chat keyed ``chat_key`` shows it, in
        ``locale``, oldest first: what officers did and, in that chat, when each answer of the
        reporter reached it. Without a chat (the workspace): what officers did."""
        audit: list[AuditRow] = await self._cases.audit(case.id)
        entries = [
            _Entry(datetime.fromisoformat(row.at), row.action, row.actor, row.detail)
            for row in audit
            if row.action in STAMPED
        ]
        if chat_key is not None:
            entries += [
                _Entry(datetime.fromtimestamp(sent, UTC), Relayed.ANSWER.value)
                for sent in await self._outbox.relayed_at(case.id, chat_key, Relayed.ANSWER.value)
            ]
        entries.sort(key=lambda entry: entry.at)
        names = await self._roster.names(e.actor for e in entries if e.actor is not None)
        with self._i18n.context(), self._i18n.use_locale(locale):
            return [HistoryLine(entry.at, self._line(entry, names, locale)) for entry in entries]

    def _line(self, entry: _Entry, names: dict[bytes, Person], locale: str) -> str:
        local = entry.at.astimezone(self._zone)
        when = (
            f"{format_skeleton('MMMd', local, locale=locale)}, "
            f"{format_time(local, 'short', locale=locale)}"
        )
        if entry.action == Relayed.ANSWER.value:
            return _("💬 Answer received · {time}").format(time=when)
        who = _who(entry.actor, names)
        if entry.action == "accepted":
            return _("✅ Accepted · {who} · {time}").format(who=who, time=when)
        if entry.action == "asked":
            return _("❓ Question asked · {who} · {time}").format(who=who, time=when)
        if entry.action == "closed":
            result = resolution_labels().get(entry.detail or "", entry.detail or "")
            return _("🏁 Closed: {result} · {who} · {time}").format(
                result=escape(result), who=who, time=when
            )
        if entry.action == "close_undone":
            return _("↩️ Close undone · {who} · {time}").format(who=who, time=when)
        if entry.action == "moved":
            target = (entry.detail or "").rpartition(">")[2]
            region = self._catalog.region(target)
            name = region.name(locale) if region else target
            return _("↪️ Sent to {region} · {who} · {time}").format(
                region=escape(name), who=who, time=when
            )
        return _("🔄 Reopened · {who} · {time}").format(who=who, time=when)

    def text(self, case: CaseRow) -> CaseText:
        """The case's confidential fields, opened for display."""
        return CaseText(
            place=self._open(case, "place", case.place),
            body=self._open(case, "body", case.body) or "",
            can_ask=case.contact is not None,
        )

    def _open(self, case: CaseRow, field: str, blob: bytes | None) -> str | None:
        return None if blob is None else self._cipher.open_text(blob, f"reports:{case.id}:{field}")


def _who(actor: bytes | None, names: dict[bytes, Person]) -> str:
    """An officer by their name on the roster; an admin as such (their names are not kept)."""
    person = names.get(actor) if actor is not None else None
    if person is None:
        return _("an officer")
    if not person.name:
        return _("admin")
    return escape(visible_text(person.name))
