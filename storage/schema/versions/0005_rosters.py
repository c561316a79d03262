"""Departments' rosters: officers by name, and the invites that add them."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import BYTES, MOMENT, TEXT, partial

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "officers",
        sa.Column("id", TEXT, primary_key=True),
        sa.Column("user_key", BYTES, nullable=False),
        sa.Column("region", TEXT, sa.ForeignKey("departments.region"), nullable=False),
        sa.Column("role", TEXT, nullable=False),
        sa.Column("person", BYTES, nullable=False),
        sa.Column("added_at", TEXT, nullable=False),
        sa.Column("added_by", BYTES, nullable=False),
        sa.Column("removed_at", TEXT),
        sa.Column("removed_by", BYTES),
    )
    op.create_index(
        "officers_active",
        "officers",
        ["user_key", "region"],
        unique=True,
        **partial("removed_at IS NULL"),
    )
    op.create_index("officers_region", "officers", ["region"], **partial("removed_at IS NULL"))
    op.create_table(
        "officer_invites",
        sa.Column("code_hash", BYTES, primary_key=True),
        sa.Column("region", TEXT, sa.ForeignKey("departments.region"), nullable=False),
        sa.Column("role", TEXT, nullable=False),
        sa.Column("invited_by", BYTES, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("used_at", MOMENT),
    )
