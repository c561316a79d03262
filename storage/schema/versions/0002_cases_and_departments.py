"""Case numbers and life cycle; departments, their chats and invites; the outbox; questions;
the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import BYTES, INT, MOMENT, ROW_ID, TEXT, on_sqlite, partial

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("reports", sa.Column("case_no", INT))
    op.add_column("reports", sa.Column("urgent", INT, nullable=False, server_default="0"))
    for column in ("queued_at", "delivered_at", "accepted_at", "closed_at", "resolution"):
        op.add_column("reports", sa.Column(column, TEXT))
    if on_sqlite():
        op.execute("UPDATE reports SET case_no = rowid")
    op.create_index("reports_case_no", "reports", ["case_no"], unique=True)
    op.create_index(
        "reports_queue", "reports", ["region", "queued_at"], **partial("queued_at IS NULL")
    )
    op.add_column("report_events", sa.Column("detail", TEXT))
    op.create_table(
        "departments",
        sa.Column("region", TEXT, primary_key=True),
        sa.Column("name_kk", TEXT, nullable=False),
        sa.Column("name_ru", TEXT, nullable=False),
        sa.Column("locale", TEXT, nullable=False),
        sa.Column("last_digest_at", TEXT),
    )
    op.create_table(
        "department_chats",
        sa.Column("chat_key", BYTES, primary_key=True),
        sa.Column("region", TEXT, sa.ForeignKey("departments.region"), primary_key=True),
        sa.Column("chat_ref", BYTES, nullable=False),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("linked_at", TEXT, nullable=False),
    )
    op.create_index("department_chats_region", "department_chats", ["region"])
    op.create_table(
        "invites",
        sa.Column("code_hash", BYTES, primary_key=True),
        sa.Column("region", TEXT, sa.ForeignKey("departments.region"), nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT),
    )
    op.create_table(
        "outbox",
        sa.Column("id", ROW_ID, primary_key=True),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("chat_key", BYTES, nullable=False),
        sa.Column("chat_ref", BYTES, nullable=False),
        sa.Column("report_id", TEXT, sa.ForeignKey("reports.id", ondelete="CASCADE")),
        sa.Column("attachment_id", TEXT),
        sa.Column("parent_id", ROW_ID, sa.ForeignKey("outbox.id", ondelete="CASCADE")),
        sa.Column("payload", BYTES),
        sa.Column("status", TEXT, nullable=False, server_default="pending"),
        sa.Column("attempts", INT, nullable=False, server_default="0"),
        sa.Column("in_flight", INT, nullable=False, server_default="0"),
        sa.Column("lease_until", MOMENT, nullable=False, server_default="0"),
        sa.Column("next_attempt", MOMENT, nullable=False),
        sa.Column("message_id", INT),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("sent_at", MOMENT),
    )
    op.create_index("outbox_due", "outbox", ["status", "next_attempt"])
    op.create_index("outbox_report", "outbox", ["report_id", "kind"])
    op.create_table(
        "questions",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column(
            "report_id", TEXT, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("body", BYTES, nullable=False),
        sa.Column("asked_at", TEXT, nullable=False),
        sa.Column("answered_at", TEXT),
    )
    op.create_index("questions_report", "questions", ["report_id"])
    op.create_table(
        "audit",
        sa.Column("id", ROW_ID, primary_key=True),
        sa.Column("at", TEXT, nullable=False),
        sa.Column("actor", BYTES, nullable=False),
        sa.Column("action", TEXT, nullable=False),
        sa.Column("report_id", TEXT),
        sa.Column("region", TEXT),
        sa.Column("detail", TEXT),
    )
    op.create_index("audit_report", "audit", ["report_id"])
