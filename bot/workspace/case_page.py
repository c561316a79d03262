"""A case as the workspace's case page shows it to one viewer, and the officers' actions on it.

Everything the chat card says, and what it has no room for (the whole text, every question with
its answer, the evidence), decrypted for the request only. The actions are the chat buttons'
service calls (handlers/officer/buttons.py), with the same audit and the same notices, and the
case's chat cards are edited after each, as a press in a chat edits them.

What the reporter sent after the report (answers, additions, files) shows here no sooner than it
may reach the department's chats: while any of it waits for its random delay
(bot/cases/relay.py), the page holds the reporter's later words back, and each file still
waiting, so the page tells no more than the chat of when the reporter was online.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from html import unescape
from typing import Any

from aiogram import Bot
from aiogram.utils.i18n import gettext as _
from babel.dates import format_timedelta
from babel.units import format_unit

from bot.cases.card import CaseCards
from bot.cases.evidence import EvidenceFile, EvidenceFiles
from bot.cases.service import CaseService
from bot.cases.views import file_note, question_sent
from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.core.values import UNACCEPTED, CaseStatus, Resolution
from bot.reports.views import occurred_label
from bot.security.crypto import Cipher
from bot.telegram.sanitize import visible_text
from bot.ui.formatting import format_moment
from bot.ui.labels import case_status_labels, resolution_labels
from bot.workspace.access import Viewer
from storage.board import BoardRepository
from storage.cases import CaseRow, CasesRepository, QuestionRow
from storage.outbox import OutboxRepository

Page = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an action did, and the chat's words for it."""

    done: bool
    message: str


class CasePages:
    def __init__(
        self,
        *,
        bot: Bot,
        cases: CasesRepository,
        outbox: OutboxRepository,
        board: BoardRepository,
        service: CaseService,
        cards: CaseCards,
        evidence: EvidenceFiles,
        cipher: Cipher,
        catalog: Catalog,
        deadlines: Deadlines,
        zone: tzinfo,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._bot = bot
        self._cases = cases
        self._outbox = outbox
        self._board = board
        self._service = service
        self._cards = cards
        self._evidence = evidence
        self._cipher = cipher
        self._catalog = catalog
        self._deadlines = deadlines
        self._zone = zone
        self._clock = clock

    async def find(self, viewer: Viewer, number: int) -> CaseRow | None:
        """The case numbered ``number`` if it is in the viewer's regions now; None otherwise,
        as for a number that does not exist."""
        case = await self._cases.by_number(number)
        return case if case is not None and viewer.sees(case.region) else None

    async def read(self, case: CaseRow, viewer: Viewer, locale: str) -> Page:
        """The page, its reading written to the audit log as opening a case's menu is."""
        await self._service.opened(case, viewer.user_id)
        return await self.page(case, locale)

    async def page(self, case: CaseRow, locale: str) -> Page:
        """The case in ``locale`` (the request's language is the current one)."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        region = self._catalog.region(case.region)
        sphere = self._catalog.category(case.category)
        created = datetime.fromisoformat(case.created_at)
        texts_held, files_held = await self._outbox.held(case.id, self._clock())
        held = texts_held or bool(files_held)
        asked = await self._cases.questions(case.id)
        status = await self._board.shown_status(case.id, self._clock()) or case.status
        questions, additions = await self._reporters_words(case, asked, locale, held)
        text = self._cards.text(case)
        is_open = case.status != CaseStatus.CLOSED
        return {
            "no": case.case_no,
            "region": case.region,
            "region_name": region.name(locale) if region else case.region,
            "sphere": case.category,
            "sphere_name": sphere.name(locale) if sphere else case.category,
            "status": status,
            "status_label": case_status_labels().get(status, status),
            "occurred": occurred_label(case.occurred),
            "place": visible_text(text.place) if text.place else None,
            "body": visible_text(text.body),
            "received": format_moment(created, self._zone, locale),
            "urgent": case.urgent,
            "deadlines": {
                "acceptance": self._deadline(
                    self._deadlines.acceptance(created), case.status in UNACCEPTED, now, locale
                ),
                "answer": self._deadline(self._deadlines.answer(created), is_open, now, locale),
            },
            "history": [
                {"at": format_moment(line.at, self._zone, locale), "text": unescape(line.text)}
                for line in await self._cards.history(case, locale)
            ],
            "questions": questions,
            "additions": additions,
            "files": [
                _file(file, locale)
                for file in await self._evidence.of_case(case.id, case.case_no)
                if file.id not in files_held
            ],
            "can": {
                "undo": await self._undoable(case),
                "accept": case.status in UNACCEPTED,
                "ask": is_open,
                "close": is_open,
                "move": is_open,
            },
            "can_ask_directly": text.can_ask,
            "resolutions": [
                {"code": code, "label": label} for code, label in resolution_labels().items()
            ],
            "regions": [
                {"code": entry.code, "name": entry.name(locale)}
                for entry in sorted(self._catalog.regions, key=lambda r: r.name(locale))
                if entry.code != case.region
            ],
        }

    async def file(self, case: CaseRow, attachment_id: str) -> tuple[EvidenceFile, bytes] | None:
        """One of the case's files the page lists, with its content; None for any other."""
        _texts, held = await self._outbox.held(case.id, self._clock())
        if attachment_id in held:
            return None
        return await self._evidence.opened(case.id, case.case_no, attachment_id)

    async def accept(self, case: CaseRow, viewer: Viewer) -> Outcome:
        done = await self._service.accept(case, viewer.user_id)
        await self._cards.refresh(self._bot, case.id, case.region)
        return Outcome(done, _("Accepted.") if done else _("Already accepted."))

    async def ask(self, case: CaseRow, viewer: Viewer, question: str) -> Outcome:
        await self._service.opened(case, viewer.user_id)
        direct = await self._service.ask(case, viewer.user_id, question)
        await self._cards.refresh(self._bot, case.id, case.region)
        return Outcome(True, question_sent(direct))

    async def close(self, case: CaseRow, viewer: Viewer, resolution: Resolution) -> Outcome:
        await self._service.opened(case, viewer.user_id)
        done = await self._service.close(case, viewer.user_id, resolution)
        await self._cards.refresh(self._bot, case.id, case.region)
        if not done:
            return Outcome(False, _("This case is closed or handled in another chat."))
        return Outcome(
            True,
            _("Closed: {resolution}. It can be undone for a minute.").format(
                resolution=resolution_labels()[resolution]
            ),
        )

    async def undo(self, case: CaseRow, viewer: Viewer) -> Outcome:
        """Undo a close within its window, as the card's Undo button does."""
        if case.status != CaseStatus.CLOSED:
            return Outcome(False, _("The case is open already."))
        done = await self._service.undo_close(case, viewer.user_id)
        await self._cards.refresh(self._bot, case.id, case.region)
        if not done:
            return Outcome(False, _("Too late to undo: the close is final."))
        return Outcome(True, _("Close undone: the case is open again."))

    async def _undoable(self, case: CaseRow) -> bool:
        if case.status != CaseStatus.CLOSED:
            return False
        until = await self._cases.undo_until(case.id)
        return until is not None and until > self._clock()

    async def move(self, case: CaseRow, viewer: Viewer, region: str, locale: str) -> Outcome:
        """To another region: it goes there in the next digest; its cards here lose their
        buttons, as after a press in the chat."""
        await self._service.opened(case, viewer.user_id)
        done = await self._service.move(case, viewer.user_id, region)
        await self._cards.refresh(self._bot, case.id, case.region)
        if not done:
            return Outcome(False, _("This case is closed or handled in another chat."))
        entry = self._catalog.region(region)
        name = entry.name(locale) if entry else region
        return Outcome(True, _("Sent to {region}.").format(region=name))

    async def _reporters_words(
        self, case: CaseRow, asked: list[QuestionRow], locale: str, held: bool
    ) -> tuple[list[Page], list[Page]]:
        """The questions with their answers, and what the reporter added: the answers and the
        additions only when none of them still waits for its delay."""
        notes = {
            note.id: (
                self._moment(note.at, locale),
                visible_text(self._cipher.open_text(note.body, f"report_notes:{note.id}:body")),
            )
            for note in ([] if held else await self._cases.notes(case.id))
        }
        questions = []
        for row in asked:
            answered = None if held or row.answered_at is None else row.answered_at
            answer = notes.pop(row.id, None)
            questions.append(
                {
                    "asked": self._moment(row.asked_at, locale),
                    "question": visible_text(
                        self._cipher.open_text(row.body, f"questions:{row.id}:body")
                    ),
                    "answered": None if answered is None else self._moment(answered, locale),
                    "answer": None if answer is None else answer[1],
                }
            )
        additions = [{"at": at, "text": text} for at, text in notes.values()]
        return questions, additions

    def _deadline(self, at: datetime, running: bool, now: datetime, locale: str) -> Page:
        """A deadline, with the time left while it runs (accepted: acceptance no longer does;
        closed: neither does)."""
        return {
            "at": format_moment(at, self._zone, locale),
            "left": format_timedelta(at - now, add_direction=True, locale=locale)
            if running
            else None,
            "overdue": running and at < now,
        }

    def _moment(self, at: str, locale: str) -> str:
        return format_moment(datetime.fromisoformat(at), self._zone, locale)


def _file(file: EvidenceFile, locale: str) -> Page:
    return {
        "id": file.id,
        "kind": file.kind.value,
        "name": file.name,
        "size": file.size,
        "size_label": size_label(file.size, locale),
        "note": file_note(file.kind, file.cleaned, file.masked, file.voice_kept),
        "caption": visible_text(file.caption) if file.caption else None,
        "image": file.image_type is not None,
        "audio": file.audio_type is not None,
    }


def size_label(size: int, locale: str) -> str:
    """A file's size as people read it: kilobytes, or megabytes to a tenth, in ``locale``."""
    if size < 1024 * 1024:
        return format_unit(max(1, round(size / 1024)), "digital-kilobyte", "short", locale=locale)
    return format_unit(size / 1024 / 1024, "digital-megabyte", "short", "#,##0.#", locale=locale)
