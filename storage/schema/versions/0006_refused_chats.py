"""When a department chat last refused the bot's messages (blocked, removed, forbidden); cleared
by the next message it accepts. /departments and /stats name such chats."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import TEXT

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.add_column("department_chats", sa.Column("refused_at", TEXT))
