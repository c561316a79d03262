"""Undoing a close for a minute; the prompts officers' questions reply to (bot/cases/card.py)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import INT, MOMENT, TEXT

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "close_undo",
        sa.Column(
            "report_id", TEXT, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("status", TEXT, nullable=False),
        sa.Column("notices", TEXT, nullable=False),
        sa.Column("until", MOMENT, nullable=False),
    )
    op.create_table(
        "ask_prompts",
        sa.Column("message_id", INT, primary_key=True, autoincrement=False),
        sa.Column("sent_at", INT, primary_key=True, autoincrement=False),
        sa.Column(
            "report_id", TEXT, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("answered_at", MOMENT),
    )
