"""A keyed hash of a file's Telegram id, to recognise the same file sent twice to a report."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import BYTES, partial

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("attachments", sa.Column("file_key", BYTES))
    op.create_index(
        "attachments_file_key",
        "attachments",
        ["file_key"],
        unique=True,
        **partial("file_key IS NOT NULL"),
    )
