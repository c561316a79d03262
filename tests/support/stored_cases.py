"""Cases for the workspace's tests, stored through the services, as fast as a test needs them:
reports through ``ReportService.submit``, officers' actions through ``CaseService``, age by
moving a case's reception time back (as tests/live/test_admin_screens.py does)."""

from __future__ import annotations

from datetime import timedelta

from bot.core import receipt
from bot.core.clock import new_id, utc_now
from bot.reports.service import Submission
from storage.cases import CaseRow
from storage.times import iso_hour
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
