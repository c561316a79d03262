"""Sealed columns read and rewritten in place, one batch of rows per transaction.

A sealed value begins with a prefix naming its key (``Cipher.prefix``); rows whose value does not
begin with the current prefix are the ones left to re-seal, so a rerun after a crash continues
where the last committed batch ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from storage.database import Database

Row = dict[str, Any]
ROWS_PER_BATCH = 500


@dataclass(frozen=True, slots=True)
class SealedColumn:
    """A column of sealed values: ``key`` orders its rows, ``context`` also feeds their AAD."""

    table: str
    column: str
    key: str = "id"
    context: tuple[str, ...] = ()
    only: tuple[str, str] | None = None
    """(column, value): only the rows where that column holds that value are sealed."""
    batch: int = ROWS_PER_BATCH

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True, slots=True)
class Batch:
    resealed: int
    unreadable: int
    last_key: Any
    """The key of the last row looked at; None when no row was left."""


class RotationRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def reseal_batch(
        self,
        sealed: SealedColumn,
        prefix: bytes,
        after: Any,
        reseal: Callable[[Row, bytes], bytes | None],
    ) -> Batch:
        """Re-seal up to ``sealed.batch`` values not beginning with ``prefix``, keyed after
        ``after``, in one durable transaction; ``reseal`` returns None for a value it cannot open,
        which is left as it is."""
        where, params = _sealed_rows(sealed)
        if after is not None:
            where += f" AND {sealed.key} > ?"
            params.append(after)
        columns = ", ".join(dict.fromkeys((sealed.key, *sealed.context)))
        updates: list[tuple[bytes, Any]] = []
        unreadable = 0
        last_key = None
        async with self._db.transaction(durable=True) as conn:
            rows = await conn.fetchall(
                f"SELECT {columns}, {sealed.column} FROM {sealed.table} "  # noqa: S608
                f"WHERE {where} AND substr({sealed.column}, 1, ?) != ? "
                f"ORDER BY {sealed.key} LIMIT ?",
                [*params, len(prefix), prefix, sealed.batch],
            )
            for found in rows:
                row = dict(zip(list(found.keys())[:-1], found, strict=False))
                last_key = row[sealed.key]
                fresh = reseal(row, bytes(found[-1]))
                if fresh is None:
                    unreadable += 1
                else:
                    updates.append((fresh, last_key))
            await conn.executemany(
                f"UPDATE {sealed.table} SET {sealed.column} = ? WHERE {sealed.key} = ?",  # noqa: S608
                updates,
            )
        return Batch(len(updates), unreadable, last_key)

    async def count_by_prefix(self, sealed: SealedColumn, length: int) -> dict[bytes, int]:
        """How many values of the column begin with each prefix of ``length`` bytes."""
        where, params = _sealed_rows(sealed)
        rows = await self._db.fetchall(
            f"SELECT substr({sealed.column}, 1, ?), count(*) FROM {sealed.table} "  # noqa: S608
            f"WHERE {where} GROUP BY 1",
            [length, *params],
        )
        return {bytes(row[0]): int(row[1]) for row in rows}


def _sealed_rows(sealed: SealedColumn) -> tuple[str, list[Any]]:
    if sealed.only is None:
        return f"{sealed.column} IS NOT NULL", []
    return f"{sealed.column} IS NOT NULL AND {sealed.only[0]} = ?", [sealed.only[1]]
