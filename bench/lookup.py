"""Scenario 4: ``/status`` lookups by receipt code among a million reports.

The reports are written straight into the database, in one transaction, with the columns
``ReportsRepository.submit`` writes (sealed body and place of realistic sizes, keyed hashes, one
history event): a million submissions through the dialog, or even through ``submit`` with its
durable commit each, would take hours. The lookup itself is the bot's: ``ReportService.lookup``,
the call behind ``/status``.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.bots import BotConfig, services_of
from bench.people import BODY
from bench.results import Section, mb, ms, percentile
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


def _report(
    rng: random.Random, services: Services, case_no: int, when: str
) -> tuple[str, tuple[object, ...]]:
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
        when,
        when,
        case_no,
    )
    return code, row


async def _fill(services: Services, count: int, keep: int) -> list[str]:
    """Write ``count`` reports; returns the receipt codes of ``keep`` of them, spread evenly."""
    rng = random.Random(count)
    every = max(1, count // keep)
    when = datetime.now(UTC).isoformat()
    codes = []
    async with services.database.transaction() as conn:
        await conn.execute(f"PRAGMA cache_size = -{SEED_CACHE_KIB}")
        for start in range(0, count, BATCH):
            rows = []
            for case_no in range(start + 1, min(count, start + BATCH) + 1):
                code, row = _report(rng, services, case_no, when)
                rows.append(row)
                if case_no % every == 0:
                    codes.append(code)
            await conn.executemany(
                "INSERT INTO reports (id, receipt_hash, submission_key, region, category, "
                "occurred, place, body, locale, status, created_at, updated_at, case_no) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?)",
                rows,
            )
            await conn.executemany(
                "INSERT INTO report_events (report_id, kind, status, created_at) "
                "VALUES (?, 'submitted', 'new', ?)",
                [(row[0], when) for row in rows],
            )
    return codes[:keep]


async def run(sizes: Sizes, workdir: Path) -> Section:
    section = Section("4. Lookup")
    config = BotConfig(NO_SERVER, workdir / "data")
    started = time.monotonic()
    async with services_of(config) as services:
        codes = await _fill(services, sizes.lookup_reports, sizes.lookups)
    filled = time.monotonic() - started
    size = config.settings().database_path.stat().st_size
    random.Random(0).shuffle(codes)
    timings = []
    async with services_of(config) as services:
        for code in codes:
            began = time.perf_counter()
            found = await services.reports.lookup(code)
            timings.append(time.perf_counter() - began)
            assert found is not None
    p99 = percentile(timings, 0.99)
    section.add("reports in the database", f"{sizes.lookup_reports:,}")
    section.add("lookup p50", ms(percentile(timings, 0.50)))
    section.add("lookup p99", ms(p99), f"< {ms(MAX_P99)}", p99 < MAX_P99)
    section.add("database size per report", f"{size / sizes.lookup_reports:,.0f} bytes")
    section.add("database size", mb(size))
    section.notes.append(
        f"{sizes.lookup_reports:,} reports written straight into the database in one "
        f"transaction ({filled:.0f} s), as `ReportsRepository.submit` writes them: sealed body "
        f"of {BODY_CHARS[0]}–{BODY_CHARS[1]} Cyrillic characters (about 300–2,000 bytes), "
        "sealed place for half, keyed hashes, one history event. Then "
        f"{len(codes):,} lookups of existing codes in random order on a freshly opened database "
        "(the operating system's file cache warm, SQLite's own cache cold), each timed around "
        "`await services.reports.lookup(code)`, the call behind `/status`: keyed hash, indexed "
        "row and its history, through aiosqlite's thread. The size is the file's once the last "
        "connection closed (WAL checkpointed)."
    )
    return section
