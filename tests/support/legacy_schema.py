"""The schema as Adal kept it before Alembic: SQL scripts applied in order, the count of those
applied kept in ``PRAGMA user_version``. Frozen test data, to make such files and check that this
code adopts them."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

LEGACY_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (
        name TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE fsm (
        key BLOB PRIMARY KEY,
        state TEXT,
        data BLOB,
        updated_at REAL NOT NULL
    );
    CREATE INDEX fsm_updated_at ON fsm (updated_at);
    CREATE TABLE user_prefs (
        user_key BLOB PRIMARY KEY,
        locale TEXT NOT NULL
    );
    CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        receipt_hash BLOB NOT NULL UNIQUE,
        submission_key BLOB NOT NULL UNIQUE,
        region TEXT NOT NULL,
        category TEXT NOT NULL,
        occurred TEXT NOT NULL,
        place BLOB,
        body BLOB NOT NULL,
        contact BLOB,
        locale TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX reports_region_status ON reports (region, status);
    CREATE TABLE report_events (
        id INTEGER PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX report_events_report ON report_events (report_id, id);
    CREATE TABLE report_notes (
        id TEXT PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        body BLOB NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX report_notes_report ON report_notes (report_id);
    CREATE TABLE attachments (
        id TEXT PRIMARY KEY,
        report_id TEXT REFERENCES reports (id) ON DELETE CASCADE,
        draft_id TEXT,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL,
        meta BLOB NOT NULL,
        data BLOB NOT NULL,
        created_at REAL NOT NULL,
        CHECK (report_id IS NOT NULL OR draft_id IS NOT NULL)
    );
    CREATE INDEX attachments_report ON attachments (report_id);
    CREATE INDEX attachments_draft ON attachments (draft_id) WHERE report_id IS NULL;
    CREATE TABLE attempts (
        user_key BLOB NOT NULL,
        purpose TEXT NOT NULL,
        failures INTEGER NOT NULL,
        last_failure REAL NOT NULL,
        blocked_until REAL NOT NULL,
        PRIMARY KEY (user_key, purpose)
    );
    """,
    """
    ALTER TABLE reports ADD COLUMN case_no INTEGER;
    ALTER TABLE reports ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE reports ADD COLUMN queued_at TEXT;
    ALTER TABLE reports ADD COLUMN delivered_at TEXT;
    ALTER TABLE reports ADD COLUMN accepted_at TEXT;
    ALTER TABLE reports ADD COLUMN closed_at TEXT;
    ALTER TABLE reports ADD COLUMN resolution TEXT;
    UPDATE reports SET case_no = rowid;
    CREATE UNIQUE INDEX reports_case_no ON reports (case_no);
    CREATE INDEX reports_queue ON reports (region, queued_at) WHERE queued_at IS NULL;
    ALTER TABLE report_events ADD COLUMN detail TEXT;
    CREATE TABLE departments (
        region TEXT PRIMARY KEY,
        name_kk TEXT NOT NULL,
        name_ru TEXT NOT NULL,
        locale TEXT NOT NULL,
        last_digest_at TEXT
    );
    CREATE TABLE department_chats (
        chat_key BLOB NOT NULL,
        region TEXT NOT NULL REFERENCES departments (region),
        chat_ref BLOB NOT NULL,
        kind TEXT NOT NULL,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (chat_key, region)
    );
    CREATE INDEX department_chats_region ON department_chats (region);
    CREATE TABLE invites (
        code_hash BLOB PRIMARY KEY,
        region TEXT NOT NULL REFERENCES departments (region),
        expires_at REAL NOT NULL,
        used_at REAL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        chat_key BLOB NOT NULL,
        chat_ref BLOB NOT NULL,
        report_id TEXT REFERENCES reports (id) ON DELETE CASCADE,
        attachment_id TEXT,
        parent_id INTEGER REFERENCES outbox (id) ON DELETE CASCADE,
        payload BLOB,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        in_flight INTEGER NOT NULL DEFAULT 0,
        lease_until REAL NOT NULL DEFAULT 0,
        next_attempt REAL NOT NULL,
        message_id INTEGER,
        created_at REAL NOT NULL,
        sent_at REAL
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt);
    CREATE INDEX outbox_report ON outbox (report_id, kind);
    CREATE TABLE questions (
        id TEXT PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        body BLOB NOT NULL,
        asked_at TEXT NOT NULL,
        answered_at TEXT
    );
    CREATE INDEX questions_report ON questions (report_id);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor BLOB NOT NULL,
        action TEXT NOT NULL,
        report_id TEXT,
        region TEXT,
        detail TEXT
    );
    CREATE INDEX audit_report ON audit (report_id);
    """,
    """
    CREATE TABLE subscribers (
        id INTEGER PRIMARY KEY,
        chat_key BLOB NOT NULL UNIQUE,
        chat_ref BLOB NOT NULL,
        locale TEXT NOT NULL,
        region TEXT,
        status TEXT NOT NULL,
        since TEXT NOT NULL
    );
    CREATE INDEX subscribers_audience ON subscribers (status, id);
    CREATE TABLE broadcasts (
        id INTEGER PRIMARY KEY,
        status TEXT NOT NULL,
        audience TEXT NOT NULL,
        content BLOB NOT NULL,
        author BLOB NOT NULL,
        admin_ref BLOB NOT NULL,
        admin_locale TEXT NOT NULL,
        progress_message_id INTEGER,
        created_at TEXT NOT NULL,
        scheduled_at REAL NOT NULL,
        started_at REAL,
        finished_at REAL,
        total INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX broadcasts_due ON broadcasts (status, scheduled_at);
    CREATE TABLE broadcast_recipients (
        broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
        subscriber_id INTEGER NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (broadcast_id, subscriber_id)
    ) WITHOUT ROWID;
    """,
    """
    ALTER TABLE attachments ADD COLUMN file_key BLOB;
    CREATE UNIQUE INDEX attachments_file_key ON attachments (file_key) WHERE file_key IS NOT NULL;
    """,
    """
    CREATE TABLE officers (
        id TEXT PRIMARY KEY,
        user_key BLOB NOT NULL,
        region TEXT NOT NULL REFERENCES departments (region),
        role TEXT NOT NULL,
        person BLOB NOT NULL,
        added_at TEXT NOT NULL,
        added_by BLOB NOT NULL,
        removed_at TEXT,
        removed_by BLOB
    );
    CREATE UNIQUE INDEX officers_active ON officers (user_key, region) WHERE removed_at IS NULL;
    CREATE INDEX officers_region ON officers (region) WHERE removed_at IS NULL;
    CREATE TABLE officer_invites (
        code_hash BLOB PRIMARY KEY,
        region TEXT NOT NULL REFERENCES departments (region),
        role TEXT NOT NULL,
        invited_by BLOB NOT NULL,
        expires_at REAL NOT NULL,
        used_at REAL
    );
    """,
    # When a department chat last refused the bot's messages (blocked, removed, forbidden);
    # cleared by the next message it accepts. /departments and /stats name such chats.
    """
    ALTER TABLE department_chats ADD COLUMN refused_at TEXT;
    """,
    # Undoing a close for a minute; the prompts officers' questions reply to (bot/cases/card.py).
    """
    CREATE TABLE close_undo (
        report_id TEXT PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
        status TEXT NOT NULL,
        notices TEXT NOT NULL,
        until REAL NOT NULL
    );
    CREATE TABLE ask_prompts (
        message_id INTEGER NOT NULL,
        sent_at INTEGER NOT NULL,
        report_id TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        answered_at REAL,
        PRIMARY KEY (message_id, sent_at, report_id)
    );
    """,
    # The language a department chat reads, chosen at /join or with /language; NULL: not chosen,
    # the department's. Kept on every link row of the chat, so it follows the chat's key.
    """
    ALTER TABLE department_chats ADD COLUMN locale TEXT;
    """,
)


def make_legacy_database(path: Path, version: int = len(LEGACY_MIGRATIONS)) -> None:
    """An SQLite file as the code of schema ``version`` made it, with no rows."""
    with closing(sqlite3.connect(path)) as connection:
        for script in LEGACY_MIGRATIONS[:version]:
            connection.executescript(script)
        connection.execute(f"PRAGMA user_version = {version}")
        connection.commit()


def as_legacy_database(path: Path, version: int = len(LEGACY_MIGRATIONS)) -> None:
    """Turn the SQLite file at ``path``, made by this code, into one the code of schema
    ``version`` would have made with the same rows: only the tables and columns it had."""
    current = path.with_name(path.name + ".current")
    path.rename(current)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    make_legacy_database(path, version)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("ATTACH DATABASE ? AS current", (str(current),))
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY rowid"
            )
        ]
        for table in tables:
            columns = ", ".join(
                row[1] for row in connection.execute(f"PRAGMA main.table_info({table})")
            )
            connection.execute(
                f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}"
            )
        connection.commit()
        connection.execute("DETACH DATABASE current")
    current.unlink()
