"""Cases for the workspace's tests, stored through the services, as fast as a test needs them:
reports through ``ReportService.submit``, their files through ``ReportService.add_file``,
officers' actions through ``CaseService``, age by moving a case's reception time back (as
tests/live/test_admin_screens.py does)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from bot.core import receipt
from bot.core.clock import new_id, utc_now
from bot.reports.evidence import FileKind, IncomingFile
from bot.reports.service import Submission
from storage.attachments import NewAttachment
from storage.cases import CaseRow
from storage.times import iso_hour, to_hour
from tests.support.flows import BODY
from tests.support.live import Live


async def filed(
    live: Live,
    region: str,
    *,
    body: str = BODY,
    place: str | None = None,
    sphere: str = "police",
    urgent: bool = False,
    days_ago: float = 0,
) -> int:
    """A report stored as the dialog stores it; its case number."""
    submission = Submission(
        new_id(), receipt.generate(), region, sphere, "week", place, body, None, "ru", urgent
    )
    assert await live.services.reports.submit(submission)
    row = await live.services.database.fetchone("SELECT max(case_no) FROM reports")
    assert row is not None
    number = int(row[0])
    if days_ago:
        await age(live, number, days_ago)
    return number


async def age(live: Live, number: int, days: float) -> None:
    """The case as if received ``days`` ago."""
    moment = iso_hour(utc_now() - timedelta(days=days))
    await live.services.database.execute(
        "UPDATE reports SET created_at = ? WHERE case_no = ?", (moment, number)
    )


async def case(live: Live, number: int) -> CaseRow:
    found = await live.services.repositories.cases.by_number(number)
    assert found is not None
    return found


async def accepted(live: Live, number: int, officer_id: int) -> None:
    assert await live.services.cases.accept(await case(live, number), officer_id)


async def voice(live: Live, number: int, data: bytes) -> None:
    """A voice note the reporter added to the case, stored as the bot stores one: masked in the
    cleaning sandbox."""
    added = IncomingFile(new_id(), FileKind.VOICE, len(data))
    await live.services.reports.add_file((await case(live, number)).id, added, data)


async def voice_as_spoken(live: Live, number: int, data: bytes) -> None:
    """A voice note stored as the bot stored one before masking existed: as the reporter spoke
    it, with no ``masked`` in its meta."""
    attachment_id, cipher = new_id(), live.services.cipher
    meta = {"extension": "ogg", "mime_type": "audio/ogg", "caption": None, "cleaned": False}
    stored = NewAttachment(
        id=attachment_id,
        kind=FileKind.VOICE,
        size=len(data),
        meta=cipher.seal(json.dumps(meta).encode(), f"attachments:{attachment_id}:meta"),
        data=cipher.seal(data, f"attachments:{attachment_id}:data"),
        created_at=to_hour(time.time()),
    )
    await live.services.repositories.attachments.add(
        stored, report_id=(await case(live, number)).id
    )
