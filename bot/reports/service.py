"""The citizen's side of a report: drafts' files, submission, lookup by receipt code, additions."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.cleaning.filetypes import Cleaner, detect
from bot.cleaning.sandbox import Cleaned, CleaningSandbox, FileRefused
from bot.core.clock import new_id, utc_now
from bot.core.quota import Quota
from bot.reports.evidence import FileKind, IncomingFile
from bot.security.crypto import Cipher, Pseudonyms
from storage.attachments import AttachmentsRepository, NewAttachment
from storage.reports import EventRow, NewReport, ReportRow, ReportsRepository
from storage.times import iso_hour, to_hour

CLEANED_KINDS = frozenset({FileKind.DOCUMENT, FileKind.VIDEO, FileKind.VOICE, FileKind.AUDIO})
"""Photos arrive recompressed by Telegram, without metadata; a video may arrive as filmed, and
a voice as spoken. Files of these kinds go through the cleaning sandbox, which may refuse them
(``FileRefused``)."""
RECORDINGS = frozenset({FileKind.VOICE, FileKind.AUDIO})
"""Masked whatever their content (``CleaningSandbox.clean``'s ``recording``)."""
META_PAGE = 500
MAX_STORED_ITEMS = 100
"""Notes and files one report may hold, additions and answers included (a report has at most 10
files of its own)."""


@dataclass(frozen=True, slots=True)
class Submission:
    """A finished draft, as the dialog collected it."""

    draft_id: str
    receipt_code: str
    region: str
    category: str
    occurred: str
    place: str | None
    body: str
    contact_chat_id: int | None
    locale: str
    urgent: bool = False
    silent: bool = True
    """Messages to an opted-in reporter go without sound or vibration (``disable_notification``)."""


@dataclass(frozen=True, slots=True)
class StatusView:
    report_id: str
    status: str
    created_at: datetime
    events: list[EventRow]
    case_no: int | None = None
    resolution: str | None = None
    region: str = ""
    category: str = ""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file kept with a report or a draft: its attachment, and whether the voice in it was
    masked, which the reporter is told."""

    id: str
    masked: bool = False


SOUND = "sound"


@dataclass(frozen=True, slots=True)
class Contact:
    """What an opted-in reporter's sealed contact holds: their chat, and whether the bot's
    messages to it make a sound. Sealed as the chat id alone for silent ones (every contact
    stored before the choice existed reads as silent), with `` sound`` after it otherwise."""

    chat_id: int
    silent: bool = True

    def text(self) -> str:
        return str(self.chat_id) if self.silent else f"{self.chat_id} {SOUND}"

    @classmethod
    def parse(cls, text: str) -> Contact:
        chat, _, mode = text.partition(" ")
        return cls(int(chat), silent=mode != SOUND)


def submission_key(pseudonyms: Pseudonyms, draft_id: str) -> bytes:
    """A report's key derived from its draft's id: a repeated Submit stores nothing twice, and
    files are told apart within one report the same way before and after it is submitted."""
    return pseudonyms.digest("submission", draft_id)


class ReportService:
    def __init__(
        self,
        *,
        reports: ReportsRepository,
        attachments: AttachmentsRepository,
        cipher: Cipher,
        pseudonyms: Pseudonyms,
        quota: Quota,
        sandbox: CleaningSandbox,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._reports = reports
        self._attachments = attachments
        self._cipher = cipher
        self._pseudonyms = pseudonyms
        self._quota = quota
        self._sandbox = sandbox
        self._now = now

    def receipt_hash(self, code: str) -> bytes:
        return self._pseudonyms.digest("receipt", code)

    async def next_report_day(self, user_key: bytes) -> date | None:
        """None while this user may submit a report today; else the day from which they may."""
        return await self._quota.next_day(user_key)

    async def submit(self, submission: Submission, user_key: bytes | None = None) -> bool:
        """Store the report durably; False if this very draft was already stored.

        ``user_key``, the reporter's pseudonym, counts a stored report against REPORTS_PER_DAY
        (in memory or in Redis, never on disk: see bot/core/quota.py); it is never stored with
        the report.
        """
        report_id = new_id()
        created_at = iso_hour(self._now())  # to the hour: see docs/threat-model.md
        seal = self._field_sealer("reports", report_id)
        contact = submission.contact_chat_id
        stored = NewReport(
            id=report_id,
            receipt_hash=self.receipt_hash(submission.receipt_code),
            submission_key=submission_key(self._pseudonyms, submission.draft_id),
            region=submission.region,
            category=submission.category,
            occurred=submission.occurred,
            place=seal("place", submission.place) if submission.place else None,
            body=seal("body", submission.body),
            contact=(
                seal("contact", Contact(contact, submission.silent).text())
                if contact is not None
                else None
            ),
            locale=submission.locale,
            created_at=created_at,
            urgent=submission.urgent,
        )
        submitted = await self._reports.submit(stored, submission.draft_id)
        if submitted and user_key is not None:
            await self._quota.spend(user_key)
        return submitted

    async def lookup(self, code: str) -> StatusView | None:
        row = await self._find(code)
        if row is None:
            return None
        events = await self._reports.events(row.id)
        return StatusView(
            row.id,
            row.status,
            datetime.fromisoformat(row.created_at),
            events,
            row.case_no,
            row.resolution,
            row.region,
            row.category,
        )

    async def _find(self, code: str) -> ReportRow | None:
        """The report of a receipt code; one hashed under a retired pseudonym key is found too,
        and hashed again under the current one."""
        current = self.receipt_hash(code)
        row = await self._reports.find_by_receipt(current)
        if row is not None:
            return row
        for earlier in self._pseudonyms.earlier_digests("receipt", code):
            row = await self._reports.find_by_receipt(earlier)
            if row is not None:
                await self._reports.rehash_receipt(row.id, current)
                return row
        return None

    async def has_room(self, report_id: str) -> bool:
        """Whether the report takes another addition or answer: a flood of them through /status
        must not grow the database without end."""
        return await self._reports.stored_items(report_id) < MAX_STORED_ITEMS

    async def add_file(
        self, report_id: str, file: IncomingFile, data: bytes, file_key: bytes | None = None
    ) -> StoredFile:
        attachment, masked = await self._sealed_attachment(file, data)
        await self._attachments.add(attachment, report_id=report_id, file_key=file_key)
        await self._reports.record_addition(report_id, iso_hour(self._now()))
        return StoredFile(attachment.id, masked)

    async def add_draft_file(
        self, draft_id: str, file: IncomingFile, data: bytes, file_key: bytes | None = None
    ) -> StoredFile:
        attachment, masked = await self._sealed_attachment(file, data)
        await self._attachments.add(attachment, draft_id=draft_id, file_key=file_key)
        return StoredFile(attachment.id, masked)

    async def discard_draft(self, draft_id: str) -> int:
        return await self._attachments.delete_draft(draft_id)

    async def purge_abandoned_files(self, older_than_seconds: float) -> int:
        return await self._attachments.purge_orphans(time.time() - older_than_seconds)

    async def forget_file_names(self) -> int:
        """Files stored before the bot stopped keeping names lose theirs; returns how many.

        Their meta held the name the reporter's phone gave the file (``file_name``) and the type
        it declared; both go, and the type found in the content is stored with the file.
        """
        forgotten, after = 0, ""
        while page := await self._attachments.metas_after(after, META_PAGE):
            after = page[-1][0]
            rewritten = []
            for attachment_id, sealed in page:
                aad = f"attachments:{attachment_id}:meta"
                meta = json.loads(self._cipher.open(sealed, aad))
                if "file_name" in meta:
                    meta.pop("file_name")
                    meta.pop("mime_type", None)
                    rewritten.append(
                        (attachment_id, self._cipher.seal(json.dumps(meta).encode(), aad))
                    )
            await self._attachments.replace_metas(rewritten)
            forgotten += len(rewritten)
        return forgotten

    async def _sealed_attachment(
        self, file: IncomingFile, data: bytes
    ) -> tuple[NewAttachment, bool]:
        """Sealed, cleaned where its kind calls for it (photos are clean already), and whether
        its voice was masked; raises ``FileRefused`` before anything is stored.

        The meta holds the type found in the content, never the name the reporter's phone gave
        the file (``bot.cleaning.filetypes``)."""
        attachment_id = new_id()
        if file.kind in CLEANED_KINDS:
            result = await self._sandbox.clean(data, recording=file.kind in RECORDINGS)
        else:
            result = Cleaned(data, detect(data), cleaned=False)
        kind, meta, sealed = self._sealed_content(attachment_id, file.kind, result, file.caption)
        attachment = NewAttachment(
            id=attachment_id,
            kind=kind,
            size=len(result.data),
            meta=meta,
            data=sealed,
            created_at=to_hour(time.time()),
        )
        return attachment, result.masked

    def _sealed_content(
        self, attachment_id: str, kind: str, result: Cleaned, caption: str | None
    ) -> tuple[str, bytes, bytes]:
        """The kind a file is stored as, its sealed meta and its sealed content. A masked
        recording is an OGG/Opus voice note, whatever it came as."""
        meta = json.dumps(
            {
                "extension": result.file_type.extension,
                "mime_type": result.file_type.mime_type,
                "caption": caption,
                "cleaned": result.cleaned,
                "masked": result.masked,
                **({"voice_kept": True} if result.voice_kept else {}),
            }
        ).encode()
        recorded = result.masked and result.file_type.cleaner is Cleaner.AUDIO
        return (
            FileKind.VOICE if recorded else kind,
            self._cipher.seal(meta, f"attachments:{attachment_id}:meta"),
            self._cipher.seal(result.data, f"attachments:{attachment_id}:data"),
        )

    async def mask_stored_recordings(self) -> tuple[int, int]:
        """Voice notes and audio stored before the bot masked voices, masked now in place:
        (how many were masked, how many could not be). One that cannot be masked is kept as it
        is, with the officers' warning, rather than lost."""
        masked = kept = 0
        after = ""
        while page := await self._attachments.ids_of_kinds(RECORDINGS, after, META_PAGE):
            after = page[-1]
            for attachment_id in page:
                row = await self._attachments.get(attachment_id)
                if row is None:
                    continue
                meta = json.loads(self._cipher.open(row.meta, f"attachments:{row.id}:meta"))
                if meta.get("masked"):
                    continue
                data = self._cipher.open(row.data, f"attachments:{row.id}:data")
                try:
                    result = await self._sandbox.clean(data, recording=True)
                except FileRefused:
                    kept += 1
                    continue
                kind, sealed_meta, sealed = self._sealed_content(
                    row.id, row.kind, result, meta.get("caption")
                )
                await self._attachments.replace_content(
                    row.id, kind, len(result.data), sealed_meta, sealed
                )
                masked += 1
        return masked, kept

    def _field_sealer(self, table: str, row_id: str) -> Callable[[str, str], bytes]:
        def seal(field: str, value: str) -> bytes:
            return self._cipher.seal_text(value, f"{table}:{row_id}:{field}")

        return seal
