"""What SQLite kept implicitly, made explicit so that PostgreSQL keeps it too.

- ``seq``: the order rows were stored in (files of one report, a reporter's notes) and a stable
  key for walking department chats while their keys change; SQLite's rowid served before.
- ``counters``: numbers kept as numbers (the highest case number retention deleted was an
  integer in ``meta``'s BLOB column, which only SQLite allows).
- Pseudonym-rotation cursors in ``meta`` are bytes, as the column says.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.schema.columns import INT, TEXT, on_sqlite

revision = "0009"
down_revision = "0008"

ORDERED = ("attachments", "report_notes", "department_chats")


def upgrade() -> None:
    for table in ORDERED:
        op.add_column(table, sa.Column("seq", INT, nullable=False, server_default="0"))
        if on_sqlite():
            op.execute(f"UPDATE {table} SET seq = rowid")  # noqa: S608 - a constant name
        op.create_index(f"{table}_seq", table, ["seq"], unique=True)
    op.create_table(
        "counters",
        sa.Column("name", TEXT, primary_key=True),
        sa.Column("value", INT, nullable=False),
    )
    if on_sqlite():
        op.execute(
            "INSERT INTO counters (name, value) SELECT name, CAST(value AS INTEGER) FROM meta "
            "WHERE name = 'last_deleted_case_no'"
        )
        op.execute("DELETE FROM meta WHERE name = 'last_deleted_case_no'")
        op.execute(
            "UPDATE meta SET value = CAST(CAST(value AS TEXT) AS BLOB) "
            "WHERE name LIKE 'pseudonym_rotation:%'"
        )
