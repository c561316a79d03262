"""Names of the numbers kept in ``counters``."""

from __future__ import annotations

LAST_DELETED_CASE_NO = "last_deleted_case_no"
"""The highest number of a case retention deleted: no later case takes it again."""
