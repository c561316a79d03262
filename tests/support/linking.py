"""The attacker who holds the database files and the keys, and tries Telegram ids.

Given the files and ``ENCRYPTION_KEYS``, the attacker opens the pseudonym key (sealed in the
database), computes every pseudonym a candidate Telegram id would have, reads every row keyed by
one of them (opening what is sealed), and tries to tie the account to a report:

- ``reference``: a report's id, case number, receipt hash, question or note id in such a row;
- ``address``: an outbox row to the candidate's chat that names a report (its id or number);
- ``contact``: a report whose sealed contact is the candidate's chat: what an opted-in reporter
  allowed, the test's proof that the attack works;
- ``time``: a time kept under the pseudonym that says more than its hour (not a whole hour)
  and lies within an hour of a time of the report.

A time to the hour is the residual the threat model names: it points to every report of that hour.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.outbox.items import payload_aad
from bot.security.addresses import CHATS, SUBSCRIBERS, address_aad
from bot.security.crypto import Cipher, DecryptionError, Pseudonyms
from bot.security.keys import KEY_BYTES, LOOKUP_KEY, LOOKUP_KEY_AAD, RETIRED_LOOKUP_KEYS, meta_aad
from storage.fsm import fsm_aad
from storage.times import HOUR

BOT_ID = 42
DESTINIES = ("default", "trail")
USER_PURPOSES = ("user",)
CHAT_PURPOSES = (CHATS, SUBSCRIBERS, "officer")

# Times a report carries: (table, column, how the row names its report).
REPORT_TIMES = (
    ("reports", "created_at", "id"),
    ("reports", "updated_at", "id"),
    ("reports", "queued_at", "id"),
    ("reports", "delivered_at", "id"),
    ("reports", "accepted_at", "id"),
    ("reports", "closed_at", "id"),
    ("report_events", "created_at", "report_id"),
    ("report_notes", "created_at", "report_id"),
    ("attachments", "created_at", "report_id"),
    ("questions", "asked_at", "report_id"),
    ("questions", "answered_at", "report_id"),
)


@dataclass(frozen=True, slots=True)
class Link:
    report_id: str
    how: str


def lookup_keys(database: Path, keys: Iterable[str]) -> list[bytes]:
    """The pseudonym key and the retired ones, opened as the bot opens them: the attacker holds
    the encryption keys."""
    cipher = Cipher([base64.b64decode(key) for key in keys])
    with closing(sqlite3.connect(database)) as conn:
        [(sealed,)] = conn.execute("SELECT value FROM meta WHERE name = ?", (LOOKUP_KEY,))
        retired = conn.execute(
            "SELECT value FROM meta WHERE name = ?", (RETIRED_LOOKUP_KEYS,)
        ).fetchall()
    found = [cipher.open(bytes(sealed), LOOKUP_KEY_AAD)]
    for (blob,) in retired:
        joined = cipher.open(bytes(blob), meta_aad(RETIRED_LOOKUP_KEYS))
        found += [joined[i : i + KEY_BYTES] for i in range(0, len(joined), KEY_BYTES)]
    return found


def pseudonyms_of(pseudonyms: Pseudonyms, telegram_id: int) -> dict[bytes, str]:
    """Every keyed hash the bot could have computed from one Telegram id, and its purpose."""
    found = {pseudonyms.digest(purpose, telegram_id): purpose for purpose in USER_PURPOSES}
    found |= {pseudonyms.digest(purpose, telegram_id): purpose for purpose in CHAT_PURPOSES}
    for destiny in DESTINIES:
        key = pseudonyms.digest("fsm", BOT_ID, telegram_id, telegram_id, None, None, destiny)
        found[key] = f"fsm:{destiny}"
    return found


def every_blob(database: Path) -> set[bytes]:
    """Every BLOB value stored in any column of any table."""
    values: set[bytes] = set()
    with closing(sqlite3.connect(database)) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            for column in conn.execute(f"PRAGMA table_info({table})").fetchall():
                values |= {
                    bytes(value)
                    for (value,) in conn.execute(f"SELECT {column[1]} FROM {table}")
                    if isinstance(value, bytes)
                }
    return values


class Attacker:
    def __init__(self, database: Path, keys: Iterable[str]) -> None:
        self._database = database
        self._keys = list(keys)
        self._cipher = Cipher([base64.b64decode(key) for key in self._keys])
        self._pseudonyms = [Pseudonyms(key) for key in lookup_keys(database, self._keys)]

    def links(self, telegram_id: int) -> set[Link]:
        with closing(sqlite3.connect(self._database)) as conn:
            conn.row_factory = sqlite3.Row
            reports = _report_markers(conn)
            found = set(self._contacts(conn, telegram_id))
            for pseudonyms in self._pseudonyms:
                keys = pseudonyms_of(pseudonyms, telegram_id)
                for texts, times in self._rows_keyed_by(conn, keys):
                    found |= _references(reports, texts)
                    found |= _close_in_time(conn, times)
        return found

    def _contacts(self, conn: sqlite3.Connection, telegram_id: int) -> Iterator[Link]:
        for row in conn.execute("SELECT id, contact FROM reports WHERE contact IS NOT NULL"):
            opened = self._open(row["contact"], f"reports:{row['id']}:contact")
            if opened == str(telegram_id):
                yield Link(row["id"], "contact")

    def _rows_keyed_by(
        self, conn: sqlite3.Connection, keys: dict[bytes, str]
    ) -> Iterator[tuple[list[str], list[float]]]:
        """(what each row keyed by one of ``keys`` says, opened; the times it keeps)."""
        marks = ", ".join("?" * len(keys))
        params = list(keys)
        for row in conn.execute(f"SELECT * FROM fsm WHERE key IN ({marks})", params):
            data = self._open(row["data"], fsm_aad(bytes(row["key"]))) if row["data"] else ""
            times = [row["updated_at"]]
            if data:
                until = json.loads(data).get("until")
                times += [until] if until is not None else []
            yield [str(row["state"]), data], times
        for table in ("user_prefs", "attempts"):
            query = f"SELECT * FROM {table} WHERE user_key IN ({marks})"
            for row in conn.execute(query, params):
                yield [json.dumps(dict(row), default=_hex)], _numbers(dict(row))
        for row in conn.execute(
            f"SELECT * FROM subscribers WHERE chat_key IN ({marks})",
            params,
        ):
            ref = self._open(row["chat_ref"], address_aad(SUBSCRIBERS, bytes(row["chat_key"])))
            yield [ref, row["locale"], str(row["region"])], [_seconds(row["since"])]
        for table in ("outbox", "department_chats"):
            query = f"SELECT * FROM {table} WHERE chat_key IN ({marks})"
            for row in conn.execute(query, params):
                yield self._outbox_texts(dict(row)), _numbers(dict(row))
        for row in conn.execute(f"SELECT * FROM audit WHERE actor IN ({marks})", params):
            yield [json.dumps(dict(row), default=_hex)], [_seconds(row["at"])]

    def _outbox_texts(self, row: dict[str, Any]) -> list[str]:
        texts = [json.dumps(row, default=_hex)]
        if row.get("payload"):
            aad = payload_aad(row["kind"], bytes(row["chat_key"]), row["report_id"])
            texts.append(self._open(row["payload"], aad))
        return texts

    def _open(self, blob: bytes, aad: str) -> str:
        try:
            return self._cipher.open_text(bytes(blob), aad)
        except DecryptionError:
            return ""


def _report_markers(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """What would name each report if found in a row: ids, case number, hashes, its questions'
    and notes' ids."""
    markers: dict[str, set[str]] = {}
    for row in conn.execute("SELECT id, case_no, receipt_hash, submission_key FROM reports"):
        markers[row["id"]] = {
            row["id"],
            f"№ {row['case_no']}",
            f"№{row['case_no']}",
            bytes(row["receipt_hash"]).hex(),
            bytes(row["submission_key"]).hex(),
        }
    for table in ("questions", "report_notes", "attachments"):
        for row in conn.execute(f"SELECT id, report_id FROM {table}"):
            if row["report_id"] in markers:
                markers[row["report_id"]].add(row["id"])
    return markers


def _references(reports: dict[str, set[str]], texts: list[str]) -> set[Link]:
    joined = "\n".join(texts)
    return {
        Link(report_id, "reference")
        for report_id, markers in reports.items()
        if any(marker in joined for marker in markers)
    }


def _close_in_time(conn: sqlite3.Connection, times: list[float]) -> set[Link]:
    """Reports with a time within the hour of a time finer than the hour."""
    fine = [t for t in times if t and t % HOUR]
    if not fine:
        return set()
    found = set()
    for table, column, owner in REPORT_TIMES:
        query = f"SELECT {owner}, {column} FROM {table} WHERE {column} IS NOT NULL"
        for report_id, value in conn.execute(query):
            moment = _seconds(value)
            if report_id and any(abs(t - moment) < HOUR for t in fine):
                found.add(Link(report_id, "time"))
    return found


def _seconds(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    moment = datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _numbers(row: dict[str, Any]) -> list[float]:
    """The row's values that could be Unix times (after 2001)."""
    return [
        float(v)
        for v in row.values()
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 1e9
    ]


def _hex(value: object) -> str:
    return value.hex() if isinstance(value, bytes) else str(value)


HASH_COLUMNS = {
    "fsm.key",
    "user_prefs.user_key",
    "reports.receipt_hash",
    "reports.submission_key",
    "attachments.file_key",
    "attempts.user_key",
    "department_chats.chat_key",
    "invites.code_hash",
    "outbox.chat_key",
    "audit.actor",
    "subscribers.chat_key",
    "broadcasts.author",
    "officers.user_key",
    "officers.added_by",
    "officers.removed_by",
    "officer_invites.code_hash",
    "officer_invites.invited_by",
}
