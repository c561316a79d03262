"""The language a department chat reads, chosen at /join or with /language; NULL: not chosen,
the department's. Kept on every link row of the chat, so it follows the chat's key."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import TEXT

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.add_column("department_chats", sa.Column("locale", TEXT))
