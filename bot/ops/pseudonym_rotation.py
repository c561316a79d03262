"""``python -m bot rotate-pseudonyms``: a new pseudonym (HMAC) key, after a leak of the old one.

Whoever took the old key (with a backup) could compute every pseudonym the bot will ever use, as
long as it keeps that key: ``rotate-keys`` only re-seals it. This command makes a new random key
and moves every keyed hash to it:

- recomputed from a sealed value: the chats the outbox writes to and the departments' chats (from
  their sealed chat ids), news subscribers (likewise), officers' and admins' pseudonyms in the
  audit log, on broadcasts and on the roster (admins' from ``ADMIN_IDS``, officers' from the
  roster's sealed identities; any other actor's is replaced by a keyed hash of the old one, the
  same for all of that actor's entries);
- dropped, as nothing sealed gives them back and they may go: drafts and every FSM row (the
  «Clear this chat» records with them), the drafts' files, language choices, wrong-code counters,
  unused invite codes (for chats and for officers), the keys that recognise a file sent twice to
  one report; reports' submission keys become random (they only guard a draft's submission, and
  every draft is gone);
- kept: receipt-code hashes, which cannot be recomputed without the codes. The old key is kept,
  sealed, for them alone: a lookup tries the current key, then the retired ones, and hashes a code
  found under a retired key again under the current one.

The bot must be stopped while it runs (it holds the key in memory) and refuses to start while a
rotation is unfinished. Each step works in batches, each recording where it stopped in the same
transaction, so a run that dies continues when run again; the key swap is one transaction. A run
after a finished one makes another new key.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable
from functools import partial

from bot.departments.roster import person_aad
from bot.ops.offline import offline_database
from bot.outbox.items import payload_aad
from bot.security.addresses import CHATS, SUBSCRIBERS, address_aad
from bot.security.crypto import Cipher, DecryptionError, Pseudonyms
from bot.security.keys import (
    LOOKUP_KEY,
    LOOKUP_KEY_AAD,
    NEXT_LOOKUP_KEY,
    RETIRED_LOOKUP_KEYS,
    meta_aad,
    open_lookup_key,
    open_retired_keys,
)
from bot.settings import KEY_BYTES, Settings
from storage.meta import MetaRepository
from storage.pseudonym_rotation import (
    AUDIT,
    BROADCASTS,
    DEPARTMENT_CHATS,
    OFFICERS,
    OUTBOX,
    PseudonymRotationRepository,
    Rewrite,
    Row,
)
from storage.pseudonym_rotation import SUBSCRIBERS as SUBSCRIBER_ROWS
from storage.retention import RetentionRepository


class PseudonymRotation:
    def __init__(
        self,
        *,
        repository: PseudonymRotationRepository,
        cipher: Cipher,
        old: Pseudonyms,
        new: Pseudonyms,
        officer_ids: Iterable[int],
        report: Callable[[str], None],
    ) -> None:
        self._repository = repository
        self._cipher = cipher
        self._old = old
        self._new = new
        self._officers = {old.digest("officer", i): new.digest("officer", i) for i in officer_ids}
        self._report = report

    async def run(self) -> None:
        await self._rewrite(DEPARTMENT_CHATS, partial(self._chat, CHATS))
        await self._rewrite(OUTBOX, self._outbox)
        await self._rewrite(SUBSCRIBER_ROWS, partial(self._chat, SUBSCRIBERS))
        await self._rewrite(AUDIT, partial(self._officer, "actor"))
        await self._rewrite(BROADCASTS, partial(self._officer, "author"))
        await self._rewrite(OFFICERS, self._roster)
        for table, count in (await self._repository.drop_unrecomputable()).items():
            self._report(f"{table}: {count} rows dropped")
        forgotten = await self._repository.forget_file_keys()
        self._report(f"attachments.file_key: {forgotten} forgotten")
        renewed = await self._repository.renew_submission_keys()
        self._report(f"reports.submission_key: {renewed} made random")

    async def _rewrite(self, rewrite: Rewrite, change: Callable[[Row], Row | None]) -> None:
        changed = 0
        while (batch := await self._repository.rewrite_batch(rewrite, change)) is not None:
            changed += batch
        self._report(f"{rewrite.name}: {changed} rows under the new key")

    def _chat(self, purpose: str, row: Row) -> Row | None:
        """A chat's hash from its sealed id, and the id sealed again for the new hash."""
        moved = self._moved_chat(purpose, bytes(row["chat_key"]), bytes(row["chat_ref"]))
        return None if moved is None else {"chat_key": moved[0], "chat_ref": moved[1]}

    def _outbox(self, row: Row) -> Row | None:
        old_key = bytes(row["chat_key"])
        moved = self._moved_chat(CHATS, old_key, bytes(row["chat_ref"]))
        if moved is None:  # a reporter's one-time address: no pseudonym, nothing to move
            return None
        key, ref = moved
        values: Row = {"chat_key": key, "chat_ref": ref}
        if row["payload"] is not None:
            with contextlib.suppress(DecryptionError):  # left as it is: its delivery drops it
                values["payload"] = self._cipher.seal(
                    self._cipher.open(
                        bytes(row["payload"]), payload_aad(row["kind"], old_key, row["report_id"])
                    ),
                    payload_aad(row["kind"], key, row["report_id"]),
                )
        return values

    def _moved_chat(self, purpose: str, key: bytes, ref: bytes) -> tuple[bytes, bytes] | None:
        try:
            chat_id = self._cipher.open_text(ref, address_aad(purpose, key))
        except DecryptionError:
            return None
        if key != self._old.digest(purpose, chat_id):
            return None
        new_key = self._new.digest(purpose, chat_id)
        return new_key, self._cipher.seal_text(chat_id, address_aad(purpose, new_key))

    def _roster(self, row: Row) -> Row:
        return {
            column: None if row[column] is None else self._officer(column, row)[column]
            for column in OFFICERS.columns
        }

    def _officer(self, column: str, row: Row) -> Row:
        old = bytes(row[column])
        new = self._officers.get(old) or self._new.digest("officer", "earlier", old.hex())
        return {column: new}


def roster_ids(cipher: Cipher, sealed: Iterable[tuple[str, bytes]]) -> list[int]:
    """The Telegram ids of everyone ever on a roster, from their sealed identities."""
    return [int(json.loads(cipher.open(person, person_aad(id_)))["id"]) for id_, person in sealed]


async def run_pseudonym_rotation(settings: Settings) -> int:
    """Move every pseudonym to a new key; 0 when done."""
    report = partial(print, flush=True)
    async with offline_database(settings) as (cipher, database):
        meta = MetaRepository(database)
        old = await open_lookup_key(meta, cipher)
        retired = await open_retired_keys(meta, cipher)
        resumed = await meta.get(NEXT_LOOKUP_KEY) is not None
        sealed = await meta.put_if_absent(
            NEXT_LOOKUP_KEY, cipher.seal(os.urandom(KEY_BYTES), meta_aad(NEXT_LOOKUP_KEY))
        )
        new = cipher.open(sealed, meta_aad(NEXT_LOOKUP_KEY))
        report(
            "Continuing the unfinished pseudonym rotation"
            if resumed
            else "A new pseudonym key is made; moving every pseudonym to it"
        )
        repository = PseudonymRotationRepository(database)
        officer_ids = [*settings.admin_ids, *roster_ids(cipher, await repository.sealed_officers())]
        await PseudonymRotation(
            repository=repository,
            cipher=cipher,
            old=Pseudonyms(old),
            new=Pseudonyms(new),
            officer_ids=officer_ids,
            report=report,
        ).run()
        kept = [*retired, old]
        await repository.finish(
            {
                LOOKUP_KEY: cipher.seal(new, LOOKUP_KEY_AAD),
                RETIRED_LOOKUP_KEYS: cipher.seal(b"".join(kept), meta_aad(RETIRED_LOOKUP_KEYS)),
            },
            drop=(NEXT_LOOKUP_KEY,),
        )
        await RetentionRepository(database).checkpoint()
    report(
        f"Done: the new pseudonym key is in use; {len(kept)} earlier keys are kept, only to find "
        "receipt codes. Start the bot."
    )
    return 0
