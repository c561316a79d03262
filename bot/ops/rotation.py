"""``python -m bot rotate-keys``: every sealed value re-encrypted under the first key.

``SEALED`` lists every encrypted column with the associated data its service binds it to. A
value that does not open with it is counted and left alone, never overwritten, so a wrong entry
shows up as a failed verification rather than as lost data. The HMAC key behind pseudonyms and
receipt-code hashes is random and only sealed (``meta.lookup_key``, with the retired ones of
``rotate-pseudonyms``): re-sealing it keeps every lookup valid; after a leak of that key, run
``rotate-pseudonyms`` too (bot/ops/pseudonym_rotation.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from bot.broadcasts.service import broadcast_aad
from bot.ops.offline import offline_database
from bot.outbox.items import payload_aad
from bot.security.addresses import CHATS, SUBSCRIBERS, address_aad
from bot.security.crypto import Cipher, DecryptionError
from bot.security.keys import (
    LOOKUP_KEY,
    NEXT_LOOKUP_KEY,
    RETIRED_LOOKUP_KEYS,
    meta_aad,
    open_lookup_key,
)
from bot.settings import Settings
from storage.fsm import fsm_aad
from storage.meta import MetaRepository
from storage.rotation import ROWS_PER_BATCH, RotationRepository, Row, SealedColumn

FILES_PER_BATCH = 4  # evidence files are up to 20 MB each


@dataclass(frozen=True, slots=True)
class Sealed:
    column: SealedColumn
    aad: Callable[[Row], str]


def _row_field(table: str, column: str, batch: int = ROWS_PER_BATCH) -> Sealed:
    """A column bound the usual way, to ``table:row id:column``."""
    return Sealed(
        SealedColumn(table, column, batch=batch), lambda row: f"{table}:{row['id']}:{column}"
    )


def _meta_value(name: str) -> Sealed:
    """A sealed value of ``meta``: the pseudonym key, the next one, the retired ones."""
    return Sealed(
        SealedColumn("meta", "value", key="name", only=("name", name)), lambda _: meta_aad(name)
    )


SEALED: tuple[Sealed, ...] = (
    _meta_value(LOOKUP_KEY),
    _row_field("reports", "place"),
    _row_field("reports", "body"),
    _row_field("reports", "contact"),
    _row_field("report_notes", "body"),
    _row_field("questions", "body"),
    _row_field("attachments", "meta"),
    _row_field("attachments", "data", batch=FILES_PER_BATCH),
    Sealed(SealedColumn("fsm", "data", key="key"), lambda row: fsm_aad(row["key"])),
    Sealed(
        SealedColumn("outbox", "payload", context=("kind", "chat_key", "report_id")),
        lambda row: payload_aad(row["kind"], row["chat_key"], row["report_id"]),
    ),
    Sealed(
        SealedColumn("outbox", "chat_ref", context=("chat_key",)),
        lambda row: address_aad(CHATS, row["chat_key"]),
    ),
    Sealed(
        SealedColumn("department_chats", "chat_ref", key="seq", context=("chat_key",)),
        lambda row: address_aad(CHATS, row["chat_key"]),
    ),
    Sealed(
        SealedColumn("subscribers", "chat_ref", context=("chat_key",)),
        lambda row: address_aad(SUBSCRIBERS, row["chat_key"]),
    ),
    _row_field("officers", "person"),
    Sealed(SealedColumn("broadcasts", "content"), lambda row: broadcast_aad(row["id"], "content")),
    Sealed(SealedColumn("broadcasts", "admin_ref"), lambda row: broadcast_aad(row["id"], "admin")),
    _meta_value(NEXT_LOOKUP_KEY),
    _meta_value(RETIRED_LOOKUP_KEYS),
)


@dataclass(frozen=True, slots=True)
class Census:
    """Sealed values by key: the first one, another configured one, or none that is configured."""

    current: int
    older: int
    unknown: int


async def key_census(repository: RotationRepository, cipher: Cipher) -> Census:
    current = older = unknown = 0
    for sealed in SEALED:
        counts = await repository.count_by_prefix(sealed.column, len(cipher.prefix))
        for prefix, count in counts.items():
            if prefix == cipher.prefix:
                current += count
            elif cipher.can_open(prefix):
                older += count
            else:
                unknown += count
    return Census(current, older, unknown)


class KeyRotation:
    def __init__(
        self, repository: RotationRepository, cipher: Cipher, report: Callable[[str], None]
    ) -> None:
        self._repository = repository
        self._cipher = cipher
        self._report = report

    async def rotate(self) -> None:
        """Re-seal, batch by batch, what is not under the first key; a rerun continues."""
        for sealed in SEALED:
            resealed = unreadable = 0
            after = None
            while True:
                batch = await self._repository.reseal_batch(
                    sealed.column, self._cipher.prefix, after, partial(self._reseal, sealed)
                )
                resealed += batch.resealed
                unreadable += batch.unreadable
                if batch.last_key is None:
                    break
                after = batch.last_key
            failed = f", {unreadable} could not be opened" if unreadable else ""
            self._report(f"{sealed.column.name}: {resealed} re-encrypted{failed}")

    def _reseal(self, sealed: Sealed, row: Row, blob: bytes) -> bytes | None:
        try:
            return self._cipher.reseal(blob, sealed.aad(row))
        except DecryptionError:
            return None


async def run_rotation(settings: Settings) -> int:
    """Re-encrypt, then verify: 0 when no value is left under another key, else 1."""
    report = partial(print, flush=True)
    async with offline_database(settings) as (cipher, database):
        await open_lookup_key(MetaRepository(database), cipher)
        report(
            f"Re-encrypting under the first of {cipher.key_count} keys "
            f"(key id {cipher.prefix[1:].hex()})"
        )
        repository = RotationRepository(database)
        await KeyRotation(repository, cipher, report).rotate()
        census = await key_census(repository, cipher)
    if census.older or census.unknown:
        report(
            f"Verification failed: {census.older + census.unknown} values are not under the first "
            f"key ({census.unknown} of them open with no configured key); keep every key"
        )
        return 1
    report(
        f"Verification passed: all {census.current} values are under the first key; the other "
        "keys can now be removed from ENCRYPTION_KEYS"
    )
    return 0
