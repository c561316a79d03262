"""Scenario 4: ``/status`` lookups by receipt code among a million reports, on SQLite and, when
the tests' servers are set (``bench/servers.py``), on PostgreSQL.

The reports are written straight into the database, in one transaction (on PostgreSQL by binary
COPY), with the columns
``ReportsRepository.submit`` writes (sealed body and place of realistic sizes, keyed hashes, one
history event): a million submissions through the dialog, or even through ``submit`` with its
durable commit each, would take hours. The lookup itself is the bot's: ``ReportService.lookup``,
the call behind ``/status``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench.bots import BotConfig, services_of
from bench.people import BODY
from bench.results import Section, mb, ms, percentile
from bench.servers import missing, shared_servers
from bench.sizes import Sizes
from bot.app import Services
from bot.core import receipt
from bot.core.clock import new_id

MAX_P99 = 0.002
NO_SERVER = "http://127.0.0.1:9"
"""The lookup never calls the Bot API."""
BATCH = 10_000
SEED_CACHE_KIB = 1024 * 1024
"""SQLite page cache while seeding only (the bot's own connection keeps the default)."""
BODY_CHARS = (150, 1000)
"""Cyrillic text, two bytes a character: sealed bodies of about 300 to 2,000 bytes."""
TEXT = BODY * (BODY_CHARS[1] // len(BODY) + 1)
REPORT_COLUMNS = (
    "id",
    "receipt_hash",
    "submission_key",
    "region",
    "category",
    "occurred",
    "place",
    "body",
    "locale",
    "status",
    "created_at",
    "updated_at",
    "case_no",
)
EVENT_COLUMNS = ("report_id", "kind", "status", "created_at")
Row = tuple[object, ...]


def _report(rng: random.Random, services: Services, case_no: int, when: str) -> tuple[str, Row]:
    """A receipt code and the row ``submit`` would write for it."""
    code = "".join(rng.choices(receipt.ALPHABET, k=receipt.LENGTH))
    report_id = new_id()
    seal = services.cipher.seal_text
    place = seal("Пост ДПС", f"reports:{report_id}:place") if case_no % 2 else None
    body = seal(TEXT[: rng.randint(*BODY_CHARS)], f"reports:{report_id}:body")
    regions, spheres = services.catalog.regions, services.catalog.categories
    row = (
        report_id,
        services.reports.receipt_hash(code),
        services.pseudonyms.digest("submission", report_id),
        regions[case_no % len(regions)].code,
        spheres[case_no % len(spheres)].code,
        "week",
        place,
        body,
        "ru",
        "new",
        when,
        when,
        case_no,
    )
    return code, row


def _batches(services: Services, count: int, keep: int, codes: list[str]) -> Iterator[list[Row]]:
    """``count`` reports in batches; the receipt codes of ``keep`` of them, spread evenly, go to
    ``codes``."""
    rng = random.Random(count)
    every = max(1, count // keep)
    when = datetime.now(UTC).isoformat()
    for start in range(0, count, BATCH):
        rows = []
        for case_no in range(start + 1, min(count, start + BATCH) + 1):
            code, row = _report(rng, services, case_no, when)
            rows.append(row)
            if case_no % every == 0 and len(codes) < keep:
                codes.append(code)
        yield rows


def _events(rows: list[Row]) -> list[Row]:
    return [(row[0], "submitted", "new", row[-2]) for row in rows]


async def _fill_sqlite(services: Services, batches: Iterator[list[Row]]) -> None:
    async with services.database.transaction() as conn:
        await conn.execute(f"PRAGMA cache_size = -{SEED_CACHE_KIB}")
        for rows in batches:
            await conn.executemany(
                "INSERT INTO reports (id, receipt_hash, submission_key, region, category, "
                "occurred, place, body, locale, status, created_at, updated_at, case_no) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            await conn.executemany(
                "INSERT INTO report_events (report_id, kind, status, created_at) "
                "VALUES (?, ?, ?, ?)",
                _events(rows),
            )


async def _fill_postgres(url: str, batches: Iterator[list[Row]]) -> None:
    """Binary COPY, in one transaction, then ANALYZE as autovacuum would after such a load."""
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            for rows in batches:
                await connection.copy_records_to_table(
                    "reports", records=rows, columns=REPORT_COLUMNS
                )
                await connection.copy_records_to_table(
                    "report_events", records=_events(rows), columns=EVENT_COLUMNS
                )
        await connection.execute("ANALYZE reports, report_events")
    finally:
        await connection.close()


async def _database_size(services: Services, config: BotConfig) -> int:
    if "DATABASE_URL" not in config.extra:
        return 0
    row = await services.database.fetchone("SELECT pg_database_size(current_database())")
    return int(row[0])


@dataclass(frozen=True)
class Lookups:
    filled: float
    timings: list[float]
    size: int

    @property
    def p99(self) -> float:
        return percentile(self.timings, 0.99)


async def _measure(sizes: Sizes, config: BotConfig) -> Lookups:
    started = time.monotonic()
    codes: list[str] = []
    async with services_of(config) as services:
        batches = _batches(services, sizes.lookup_reports, sizes.lookups, codes)
        url = config.extra.get("DATABASE_URL")
        if url is None:
            await _fill_sqlite(services, batches)
        else:
            await _fill_postgres(url, batches)
    filled = time.monotonic() - started
    random.Random(0).shuffle(codes)
    timings = []
    async with services_of(config) as services:
        for code in codes:
            began = time.perf_counter()
            found = await services.reports.lookup(code)
            timings.append(time.perf_counter() - began)
            assert found is not None
        size = await _database_size(services, config)
    return Lookups(filled, timings, size or config.settings().database_path.stat().st_size)


def _describe(section: Section, sizes: Sizes, where: str, lookups: Lookups) -> None:
    section.add(f"lookup p50{where}", ms(percentile(lookups.timings, 0.50)))
    section.add(f"lookup p99{where}", ms(lookups.p99), f"< {ms(MAX_P99)}", lookups.p99 < MAX_P99)
    section.add(
        f"database size per report{where}", f"{lookups.size / sizes.lookup_reports:,.0f} bytes"
    )
    section.add(f"database size{where}", mb(lookups.size))


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("4. Lookup")
    section.add("reports in the database", f"{sizes.lookup_reports:,}")
    sqlite = await _measure(sizes, BotConfig(NO_SERVER, workdir / "data"))
    _describe(section, sizes, "", sqlite)
    section.notes.append(
        f"{sizes.lookup_reports:,} reports written straight into the database in one "
        f"transaction ({sqlite.filled:.0f} s), as `ReportsRepository.submit` writes them: sealed "
        f"body of {BODY_CHARS[0]}–{BODY_CHARS[1]} Cyrillic characters (about 300–2,000 bytes), "
        "sealed place for half, keyed hashes, one history event. Then "
        f"{len(sqlite.timings):,} lookups of existing codes in random order on a freshly opened "
        "database (the operating system's file cache warm, SQLite's own cache cold), each timed "
        "around `await services.reports.lookup(code)`, the call behind `/status`: keyed hash, "
        "indexed row and its history, through aiosqlite's thread. The size is the file's once "
        "the last connection closed (WAL checkpointed)."
    )
    reason = missing()
    if reason is not None:
        section.add("PostgreSQL", f"not run: {reason}")
        return section
    async with shared_servers(workdir) as servers:
        config = BotConfig(
            NO_SERVER, workdir / "postgres" / "data", {"DATABASE_URL": servers["DATABASE_URL"]}
        )
        postgres = await _measure(sizes, config)
    _describe(section, sizes, " (PostgreSQL)", postgres)
    section.notes.append(
        f"PostgreSQL: the same reports written by binary COPY in one transaction, then ANALYZE "
        f"({postgres.filled:.0f} s), into a fresh database on the server of "
        "`ADAL_TEST_DATABASE_URL` (the same machine); the same lookups through the bot's "
        "asyncpg pool on a freshly opened one (the server's shared buffers warm from the load). "
        "The size is `pg_database_size`, indexes and the (empty) other tables included."
    )
    return section
