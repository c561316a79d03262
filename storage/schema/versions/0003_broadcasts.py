"""Subscribers to awareness messages; broadcasts and their recipients."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import BYTES, INT, MOMENT, ROW_ID, TEXT

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", ROW_ID, primary_key=True),
        sa.Column("chat_key", BYTES, nullable=False, unique=True),
        sa.Column("chat_ref", BYTES, nullable=False),
        sa.Column("locale", TEXT, nullable=False),
        sa.Column("region", TEXT),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("since", TEXT, nullable=False),
    )
    op.create_index("subscribers_audience", "subscribers", ["status", "id"])
    op.create_table(
        "broadcasts",
        sa.Column("id", ROW_ID, primary_key=True),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("audience", TEXT, nullable=False),
        sa.Column("content", BYTES, nullable=False),
        sa.Column("author", BYTES, nullable=False),
        sa.Column("admin_ref", BYTES, nullable=False),
        sa.Column("admin_locale", TEXT, nullable=False),
        sa.Column("progress_message_id", INT),
        sa.Column("created_at", TEXT, nullable=False),
        sa.Column("scheduled_at", MOMENT, nullable=False),
        sa.Column("started_at", MOMENT),
        sa.Column("finished_at", MOMENT),
        sa.Column("total", INT, nullable=False, server_default="0"),
    )
    op.create_index("broadcasts_due", "broadcasts", ["status", "scheduled_at"])
    op.create_table(
        "broadcast_recipients",
        sa.Column(
            "broadcast_id",
            ROW_ID,
            sa.ForeignKey("broadcasts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("subscriber_id", ROW_ID, primary_key=True, autoincrement=False),
        sa.Column("status", TEXT, nullable=False),
        sqlite_with_rowid=False,
    )
