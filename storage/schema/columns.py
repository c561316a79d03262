"""Column types the revisions share, each rendered as the dialect needs.

Frozen: a released revision's tables were made with these; change them only by a new revision.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""An increasing key: SQLite's ``INTEGER PRIMARY KEY`` (its rowid), PostgreSQL's ``BIGSERIAL``."""
BYTES = sa.LargeBinary()
"""BLOB in SQLite, bytea in PostgreSQL."""
MOMENT = sa.Float(precision=53)
"""A Unix time in seconds: REAL in SQLite, double precision in PostgreSQL."""
TEXT = sa.Text()
INT = sa.BigInteger()


def partial(condition: str) -> dict[str, Any]:
    """The keyword arguments of an index over the rows that meet ``condition``."""
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def on_sqlite() -> bool:
    """Whether the revision runs on SQLite: only an SQLite file can hold rows made before the
    revisions existed (PostgreSQL databases start at the first one)."""
    return op.get_context().dialect.name == "sqlite"
