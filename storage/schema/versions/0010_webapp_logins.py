"""The web workspace's logins: each Telegram ``initData`` is exchanged for a session once.

A row is the SHA-256 of the ``initData``'s signature (itself an HMAC under the bot's token),
kept until the ``initData`` would have expired anyway: nothing in it names the person, and no
pseudonym key derives it, so rotating keys leaves it alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import MOMENT, TEXT

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_table(
        "webapp_logins",
        sa.Column("digest", TEXT, primary_key=True),
        sa.Column("expires_at", MOMENT, nullable=False),
    )
    op.create_index("webapp_logins_expiry", "webapp_logins", ["expires_at"])
