"""Officers' actions on cases, each checked against the acting chat's regions when it happens."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from html import escape

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.cases.relay import RelayDelay
from bot.cases.views import Relayed, relayed_messages
from bot.core.catalog import Catalog
from bot.core.clock import new_id, utc_now
from bot.core.values import UNACCEPTED, CaseStatus, Resolution
from bot.departments.service import DepartmentService
from bot.outbox.items import text_item
from bot.reports.keyboards import answer_keyboard
from bot.reports.service import Contact
from bot.security.addresses import ChatAddresses
from bot.security.crypto import Cipher
from bot.security.inert import inert
from bot.ui.formatting import truncate_utf16
from bot.ui.labels import resolution_labels
from storage.cases import AuditQuery, AuditRow, CaseRow, CasesRepository, Change
from storage.outbox import NewItem, OutboxRepository
from storage.times import iso_hour

QUESTION_LIMIT = 3000

STAFF_ACTIONS_SHOWN = 20


def shown_question(question: str) -> str:
    """An officer's question as the reporter sees it (HTML): nothing in it can be tapped, and a
    warning follows it, in the current language."""
    body = escape(truncate_utf16(inert(question), QUESTION_LIMIT), quote=False)
    warning = _(
        "⚠️ Do not open links and do not send files or messages anywhere but this bot: a link "
        "can reveal your IP address and your device to whoever made it. Addresses in a question "
        "are shown broken on purpose, so that they cannot be opened."
    )
    return f"{body}\n\n{warning}"


def neutral_line() -> str:
    """The first line of every message the bot sends a reporter unasked: all a lock screen or
    a notification shows, so it says nothing of a report, a case or the service."""
    return _("🔔 Adal: an update for you")


class CaseService:
    def __init__(
        self,
        *,
        cases: CasesRepository,
        departments: DepartmentService,
        chats: ChatAddresses,
        cipher: Cipher,
        catalog: Catalog,
        i18n: I18n,
        outbox: OutboxRepository,
        outbox_ready: asyncio.Event,
        relay: RelayDelay,
        undo_seconds: float = 0,
    ) -> None:
        """``undo_seconds`` (``CLOSE_UNDO_SECONDS``): how long a close can be undone; the
        reporter's notice of it waits as long, and their contact is kept as long."""
        self._undo_seconds = undo_seconds
        self._relay = relay
        self._outbox = outbox
        self._outbox_ready = outbox_ready
        self._cases = cases
        self._departments = departments
        self._chats = chats
        self._cipher = cipher
        self._catalog = catalog
        self._i18n = i18n

    async def for_chat(self, report_id: str, chat_id: int) -> CaseRow | None:
        """The case if this chat may act on it now: it serves the case's region, or it is the
        admins' chat that receives unrouted cases. None otherwise, or for an unknown id."""
        case = await self._cases.get(report_id)
        if case is None:
            return None
        if case.region in await self._departments.regions_of(chat_id):
            return case
        admin_keys = {address.key for address in self._departments.admin_addresses()}
        return case if self._chats.key(chat_id) in admin_keys else None

    async def accept(self, case: CaseRow, officer_id: int) -> bool:
        if case.status not in UNACCEPTED:
            return False
        with self._i18n.context(), self._i18n.use_locale(case.locale):
            text = _(
                "✅ Your report № {number} has been accepted for review. Send /status with your "
                "receipt code to follow it."
            ).format(number=case.case_no)
        notices = self._to_reporter(case, text)
        return await self._apply(
            case, officer_id, "accepted", status=CaseStatus.ACCEPTED, notices=notices
        )

    async def close(self, case: CaseRow, officer_id: int, resolution: Resolution) -> bool:
        """Close; undoable for ``undo_seconds``, when the reporter's notice is due."""
        now = time.time()
        until = now + self._undo_seconds
        notices = [replace(n, due=until) for n in self._reporter_notice(case, resolution)]
        change = Change(
            report_id=case.id,
            actor=self._chats.actor(officer_id),
            action="closed",
            at=utc_now().isoformat(),
            status=CaseStatus.CLOSED,
            resolution=resolution,
            detail=resolution,
            drop_contact=self._undo_seconds <= 0,
        )
        if self._undo_seconds > 0:
            closed = await self._cases.close(change, notices, now, until)
        else:
            closed = await self._cases.apply(change, notices, now)
        if closed and notices:
            self._outbox_ready.set()
        return closed

    async def undo_close(self, case: CaseRow, officer_id: int) -> bool:
        """Reopen a case closed within the undo window to its former status, its notice to the
        reporter dropped unsent; False once the window has passed."""
        change = Change(
            report_id=case.id,
            actor=self._chats.actor(officer_id),
            action="close_undone",
            at=utc_now().isoformat(),
            detail=case.resolution,
        )
        return await self._cases.undo_close(change, time.time()) is not None

    async def end_undo_windows(self) -> list[tuple[str, str]]:
        """Make the closes past their undo window final: the reporter's contact goes. Returns
        (case id, region) of each, for their cards to lose the Undo button."""
        return await self._cases.end_undo_windows(time.time())

    async def reopen(self, case_no: int, admin_id: int) -> CaseRow | None:
        """An admin opens a closed case again: it goes out in the next digest as new. The
        reporter is told through the notice path, which reaches only a reporter whose contact
        is still kept: closing drops it, so after a close they see it in /status."""
        case = await self._cases.by_number(case_no)
        if case is None or case.status != CaseStatus.CLOSED:
            return None
        with self._i18n.context(), self._i18n.use_locale(case.locale):
            text = _(
                "Your report № {number} has been reopened: the service is looking at it again. "
                "Send /status with your receipt code to follow it."
            ).format(number=case.case_no)
        notices = self._to_reporter(case, text)
        reopened = await self._cases.reopen(
            Change(
                report_id=case.id,
                actor=self._chats.actor(admin_id),
                action="reopened",
                at=utc_now().isoformat(),
                detail=case.resolution,
            ),
            notices,
            time.time(),
        )
        if reopened and notices:
            self._outbox_ready.set()
        return case if reopened else None

    async def move(self, case: CaseRow, officer_id: int, region: str) -> bool:
        if self._catalog.region(region) is None or region == case.region:
            return False
        return await self._apply(
            case,
            officer_id,
            "moved",
            status=CaseStatus.NEW,
            region=region,
            detail=f"{case.region}>{region}",
            requeue=True,
        )

    async def opened(self, case: CaseRow, officer_id: int) -> None:
        """An officer opened a case's menu (close, move, ask): the audit log records a read."""
        await self._cases.record_read(
            case.id, self._chats.actor(officer_id), case.region, utc_now().isoformat()
        )

    async def staff_actions(self) -> list[AuditRow]:
        return await self._cases.staff_actions(STAFF_ACTIONS_SHOWN)

    async def audit(self, case_no: int) -> list[AuditRow] | None:
        """Who (by actor key) did what to a case and when; None for an unknown number."""
        case = await self._cases.by_number(case_no)
        return None if case is None else await self._cases.audit(case.id)

    async def audit_log(
        self, query: AuditQuery, actor_id: int | None, limit: int, offset: int
    ) -> list[AuditRow]:
        """The audit log as ``query`` filters it, newest first; ``actor_id``: only what that
        person did."""
        if actor_id is not None:
            query = replace(query, actor=self._chats.actor(actor_id))
        return await self._cases.audit_log(query, limit, offset)

    async def ask(self, case: CaseRow, officer_id: int, question: str) -> bool:
        """Store the question; True if it went to the reporter, False if it waits on /status."""
        question_id = new_id()
        body = self._cipher.seal_text(question, f"questions:{question_id}:body")
        notices = self._to_reporter(case, self._question_text(case, question), question_id)
        await self._cases.ask(
            Change(
                report_id=case.id,
                actor=self._chats.actor(officer_id),
                action="asked",
                at=utc_now().isoformat(),
                status=CaseStatus.AWAITING_REPORTER,
            ),
            question_id,
            body,
            notices,
            time.time(),
        )
        if notices:
            self._outbox_ready.set()
        return bool(notices)

    async def open_questions(self, report_id: str) -> list[tuple[str, str]]:
        """(question id, text) of the questions a reporter has not answered yet."""
        return [
            (row.id, self._cipher.open_text(row.body, f"questions:{row.id}:body"))
            for row in await self._cases.questions(report_id, unanswered=True)
        ]

    async def answerable(self, question_id: str, chat_id: int, report_id: str | None) -> str | None:
        """The report a question belongs to, if this chat may answer it: the chat the reporter
        opted in with, or one where /status found the report by its receipt code. A closed
        case, or an answered question, takes no more answers."""
        question = await self._cases.question(question_id)
        if question is None or question.answered_at is not None:
            return None
        case = await self._cases.get(question.report_id)
        if case is None or case.status == CaseStatus.CLOSED:
            return None
        if report_id == case.id:
            return case.id
        contact = self._contact(case)
        return case.id if contact is not None and contact.chat_id == chat_id else None

    def _contact(self, case: CaseRow) -> Contact | None:
        if case.contact is None:
            return None
        return Contact.parse(self._cipher.open_text(case.contact, f"reports:{case.id}:contact"))

    async def answer_text(self, question_id: str, text: str) -> None:
        """The answer is kept as a note under its question's id: what pairs the two (the
        workspace's case page shows each question with its answer)."""
        body = self._cipher.seal_text(text, f"report_notes:{question_id}:body")
        await self._answer(question_id, (question_id, body), text=text)

    async def answer_file(self, question_id: str, attachment_id: str) -> None:
        await self._answer(question_id, None, attachment_id=attachment_id)

    async def _answer(
        self,
        question_id: str,
        note: tuple[str, bytes] | None,
        *,
        text: str | None = None,
        attachment_id: str | None = None,
    ) -> None:
        question = await self._cases.question(question_id)
        case = await self._cases.get(question.report_id) if question else None
        if question is None or case is None:
            return
        notices = await self._to_department(case, Relayed.ANSWER, text, attachment_id)
        # The reporter's moment, kept to the hour like every time a reporter leaves.
        await self._cases.answer(question, note, iso_hour(utc_now()), notices, time.time())
        self._outbox_ready.set()

    async def takes_additions(self, report_id: str) -> bool:
        """False once the case is closed: what is added would reach nobody."""
        case = await self._cases.get(report_id)
        return case is not None and case.status != CaseStatus.CLOSED

    async def add_information(self, report_id: str, text: str) -> None:
        """Text the reporter adds through /status: kept as a note and owed to each chat that has
        the case's card (sent, or about to be), in one transaction. A case still waiting for its
        digest takes it along with the card (bot/cases/digest.py)."""
        case = await self._cases.get(report_id)
        if case is None:
            return
        note_id = new_id()
        body = self._cipher.seal_text(text, f"report_notes:{note_id}:body")
        items = await self._addition_items(case, text=text)
        await self._cases.add_note(
            report_id, (note_id, body), iso_hour(utc_now()), items, time.time()
        )
        if items:
            self._outbox_ready.set()

    async def relay_file(self, report_id: str, attachment_id: str) -> None:
        """A file the reporter added through /status, stored already, for the case's chats."""
        case = await self._cases.get(report_id)
        if case is None:
            return
        items = await self._addition_items(case, attachment_id=attachment_id)
        if items:
            await self._outbox.enqueue(items, time.time())
            self._outbox_ready.set()

    async def _addition_items(
        self, case: CaseRow, *, text: str | None = None, attachment_id: str | None = None
    ) -> list[NewItem]:
        if case.status == CaseStatus.CLOSED:
            return []
        return await self._to_department(
            case, Relayed.ADDITION, text, attachment_id, with_card_only=True
        )

    async def _to_department(
        self,
        case: CaseRow,
        kind: Relayed,
        text: str | None,
        attachment_id: str | None,
        *,
        with_card_only: bool = False,
    ) -> list[NewItem]:
        """The reporter's text or file for each of the case's chats, as a reply to its card,
        due after the random delay (bot/cases/relay.py) and never before what is owed there
        already."""
        targets = await self._departments.targets(case.region)
        due = time.time() + self._relay.seconds(urgent=case.urgent)
        texts = {}
        for locale in set(targets.locales.values()):
            with self._i18n.context(), self._i18n.use_locale(locale):
                texts[locale] = relayed_messages(kind, case.case_no, text or "")
        items = []
        for address in targets.addresses:
            card = await self._outbox.card_of(case.id, address.key)
            if card is None and with_card_only:
                continue
            due_here = max(due, await self._outbox.last_due(case.id, address.key) or 0.0)
            if attachment_id is not None:
                items.append(
                    NewItem(
                        "attachment",
                        address.key,
                        address.ref,
                        report_id=case.id,
                        attachment_id=attachment_id,
                        parent_id=card,
                        due=due_here,
                    )
                )
                continue
            items += [
                text_item(
                    self._cipher,
                    kind.value,
                    address.key,
                    address.ref,
                    part,
                    report_id=case.id,
                    parent_id=card,
                    due=due_here,
                )
                for part in texts[targets.locales[address.key]]
            ]
        return items

    def _question_text(self, case: CaseRow, question: str) -> str:
        with self._i18n.context(), self._i18n.use_locale(case.locale):
            header = _(
                "❓ <b>The anti-corruption service asks about your report № {number}:</b>"
            ).format(number=case.case_no)
            footer = _("Press «Answer» to reply. They do not see who you are.")
            body = shown_question(question)
        return f"{header}\n\n{body}\n\n{footer}"

    async def _apply(
        self,
        case: CaseRow,
        officer_id: int,
        action: str,
        *,
        notices: list[NewItem] | None = None,
        **change: object,
    ) -> bool:
        applied = await self._cases.apply(
            Change(
                report_id=case.id,
                actor=self._chats.actor(officer_id),
                action=action,
                at=utc_now().isoformat(),
                **change,  # type: ignore[arg-type]
            ),
            notices or [],
            time.time(),
        )
        if applied and notices:
            self._outbox_ready.set()
        return applied

    def _reporter_notice(self, case: CaseRow, resolution: Resolution) -> list[NewItem]:
        """Tell an opted-in reporter their case is closed, in their language, nothing more."""
        with self._i18n.context(), self._i18n.use_locale(case.locale):
            text = _(
                "Your report № {number} has been closed. Result: {resolution}. Send /status with "
                "your receipt code to see its history."
            ).format(number=case.case_no, resolution=resolution_labels()[resolution])
        return self._to_reporter(case, text)

    def _to_reporter(
        self, case: CaseRow, text: str, question_id: str | None = None
    ) -> list[NewItem]:
        """A message for an opted-in reporter (none otherwise), with an Answer button if asked:
        under the neutral line, silent unless they chose sound."""
        contact = self._contact(case)
        if contact is None:
            return []
        address = self._chats.one_time(contact.chat_id)
        markup = None
        with self._i18n.context(), self._i18n.use_locale(case.locale):
            text = f"{neutral_line()}\n\n{text}"
            if question_id is not None:
                markup = answer_keyboard(question_id).model_dump(exclude_none=True)
        kind = "question" if question_id else "notice"
        return [
            text_item(
                self._cipher,
                kind,
                address.key,
                address.ref,
                text,
                markup=markup,
                silent=contact.silent,
            )
        ]
