"""Rows as storage returns them, for tests of views."""

from __future__ import annotations

from storage.cases import CaseRow


def sample_case(*, urgent: bool) -> CaseRow:
    """A case as the outbox reads it; its text comes separately (CaseText)."""
    return CaseRow(
        id="c" * 32,
        case_no=7,
        region="abai",
        category="police",
        occurred="week",
        place=None,
        body=b"",
        contact=None,
        locale="ru",
        status="new",
        created_at="2026-11-20T10:00:00+00:00",
        urgent=urgent,
        accepted_at=None,
        closed_at=None,
        resolution=None,
    )
