"""The schema's history as Alembic revisions, one set for SQLite and PostgreSQL (``versions/``)."""
