"""Reports, their events, notes and files; drafts' FSM rows, language choices, attempts."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import BYTES, INT, MOMENT, ROW_ID, TEXT, partial

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("name", TEXT, primary_key=True),
        sa.Column("value", BYTES, nullable=False),
    )
    op.create_table(
        "fsm",
        sa.Column("key", BYTES, primary_key=True),
        sa.Column("state", TEXT),
        sa.Column("data", BYTES),
        sa.Column("updated_at", MOMENT, nullable=False),
    )
    op.create_index("fsm_updated_at", "fsm", ["updated_at"])
    op.create_table(
        "user_prefs",
        sa.Column("user_key", BYTES, primary_key=True),
        sa.Column("locale", TEXT, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("receipt_hash", BYTES, nullable=False, unique=True),
        sa.Column("submission_key", BYTES, nullable=False, unique=True),
        sa.Column("region", TEXT, nullable=False),
        sa.Column("category", TEXT, nullable=False),
        sa.Column("occurred", TEXT, nullable=False),
        sa.Column("place", BYTES),
        sa.Column("body", BYTES, nullable=False),
        sa.Column("contact", BYTES),
        sa.Column("locale", TEXT, nullable=False),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("created_at", TEXT, nullable=False),
        sa.Column("updated_at", TEXT, nullable=False),
    )
    op.create_index("reports_region_status", "reports", ["region", "status"])
    op.create_table(
        "report_events",
        sa.Column("id", ROW_ID, primary_key=True),
        sa.Column(
            "report_id", TEXT, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("created_at", TEXT, nullable=False),
    )
    op.create_index("report_events_report", "report_events", ["report_id", "id"])
    op.create_table(
        "report_notes",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column(
            "report_id", TEXT, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("body", BYTES, nullable=False),
        sa.Column("created_at", TEXT, nullable=False),
    )
    op.create_index("report_notes_report", "report_notes", ["report_id"])
    op.create_table(
        "attachments",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("report_id", TEXT, sa.ForeignKey("reports.id", ondelete="CASCADE")),
        sa.Column("draft_id", TEXT),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("size", INT, nullable=False),
        sa.Column("meta", BYTES, nullable=False),
        sa.Column("data", BYTES, nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.CheckConstraint("report_id IS NOT NULL OR draft_id IS NOT NULL"),
    )
    op.create_index("attachments_report", "attachments", ["report_id"])
    op.create_index(
        "attachments_draft", "attachments", ["draft_id"], **partial("report_id IS NULL")
    )
    op.create_table(
        "attempts",
        sa.Column("user_key", BYTES, primary_key=True),
        sa.Column("purpose", TEXT, primary_key=True),
        sa.Column("failures", INT, nullable=False),
        sa.Column("last_failure", MOMENT, nullable=False),
        sa.Column("blocked_until", MOMENT, nullable=False),
    )
