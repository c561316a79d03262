"""``python -m bot check``: is this installation ready to run? One line per finding.

Problems (exit 1): a key file that cannot be read; a database that cannot be opened or fails its
integrity or foreign key check; keys that do not open it, or values sealed under a key no longer
configured; a token Telegram rejects or a Bot API that does not answer; neither ADMIN_IDS nor
FALLBACK_CHAT_ID, so that unrouted reports and delivery alerts would go nowhere. Warnings (exit
0): no database yet (a fresh installation), values still under an older key, departments without
a linked chat (their reports go to the fallback chat or the admins), a key file that its group or
others may read.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from functools import partial

from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiohttp import ClientError

from bot.core.catalog import Catalog
from bot.core.clock import utc_now
from bot.core.deadlines import Deadlines
from bot.departments.service import DepartmentService
from bot.ops.rotation import key_census
from bot.security.addresses import ChatAddresses
from bot.security.crypto import Cipher
from bot.security.keys import configured_keys, open_pseudonyms
from bot.settings import ConfigError, Settings
from bot.telegram.session import bot_client
from storage.backends import DRIVER_ERRORS, DatabaseUnavailable, open_database
from storage.cases import CasesRepository
from storage.database import Database
from storage.departments import DepartmentsRepository
from storage.health import DatabaseHealth
from storage.meta import MetaRepository
from storage.roster import RosterRepository
from storage.rotation import RotationRepository

TELEGRAM_TIMEOUT = 15


class Findings:
    def __init__(self, out: Callable[[str], None]) -> None:
        self._out = out
        self.problems = 0
        self.warnings = 0

    def ok(self, text: str) -> None:
        self._out(f"ok       {text}")

    def warning(self, text: str) -> None:
        self.warnings += 1
        self._out(f"warning  {text}")

    def problem(self, text: str) -> None:
        self.problems += 1
        self._out(f"PROBLEM  {text}")


async def run_check(settings: Settings) -> int:
    out = partial(print, flush=True)
    findings = Findings(out)
    findings.ok("settings")
    await _check_store(settings, findings)
    await _check_telegram(settings, findings)
    if settings.fallback_chat_id is None and not settings.admin_ids:
        findings.problem(
            "ADMIN_IDS and FALLBACK_CHAT_ID are both empty: reports of a region without a linked "
            "chat, and delivery alerts, would go nowhere"
        )
    out(f"check: {findings.problems} problem(s), {findings.warnings} warning(s)")
    return 1 if findings.problems else 0


async def _check_store(settings: Settings, findings: Findings) -> None:
    path = settings.database_path
    where = "DATABASE_URL" if settings.postgres_url else str(path)
    try:
        keys = configured_keys(settings)
    except ConfigError as exc:
        findings.problem(str(exc))
        return
    _check_key_file_mode(settings, findings)
    if settings.postgres_url is None and not path.exists():
        findings.warning(f"no database at {path} yet: the first start creates it")
        return
    if keys is None:
        findings.problem(
            f"ENCRYPTION_KEYS is empty and KEY_FILE {settings.key_file} does not exist: "
            "nothing opens the database"
        )
        return
    try:
        database = await open_database(url=settings.postgres_url, path=path)
    except (DatabaseUnavailable, RuntimeError) as exc:
        findings.problem(f"the database {where} cannot be opened: {exc}")
        return
    try:
        await _check_database(database, Cipher(keys), settings, findings)
    except ConfigError as exc:
        findings.problem(str(exc))
    except DRIVER_ERRORS as exc:
        findings.problem(f"the database {where} is damaged: {exc}")
    finally:
        await database.close()


def _check_key_file_mode(settings: Settings, findings: Findings) -> None:
    """The key file opens every report: only the bot's own user should read it."""
    path = settings.key_file
    if settings.encryption_keys or not path.exists():
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        findings.warning(
            f"KEY_FILE {path} can be read or changed by its group or by others (mode "
            f"{mode:04o}): run `chmod 600 {path}`"
        )


async def _check_database(
    database: Database, cipher: Cipher, settings: Settings, findings: Findings
) -> None:
    health = DatabaseHealth(database)
    errors = await health.integrity_errors()
    if errors:
        findings.problem(f"the database fails its integrity check: {'; '.join(errors)}")
        return
    violations = await health.foreign_key_violations()
    if violations:
        tables = ", ".join(f"{table} ({count})" for table, count in sorted(violations.items()))
        findings.problem(f"rows point at rows that do not exist: {tables}")
        return
    findings.ok(f"database {settings.database_path}: integrity and foreign keys")
    pseudonyms = await open_pseudonyms(MetaRepository(database), cipher)
    census = await key_census(RotationRepository(database), cipher)
    if census.unknown:
        findings.problem(
            f"{census.unknown} encrypted values open with none of the configured keys: "
            "a key is missing from ENCRYPTION_KEYS"
        )
    elif census.older:
        findings.warning(
            f"{census.older} encrypted values are under an older key: run "
            "`python -m bot rotate-keys` before removing it from ENCRYPTION_KEYS"
        )
    else:
        findings.ok(f"keys: {census.current} encrypted values, all under the first key")
    departments = DepartmentService(
        departments=DepartmentsRepository(database),
        cases=CasesRepository(database),
        chats=ChatAddresses(cipher, pseudonyms),
        pseudonyms=pseudonyms,
        settings=settings,
        deadlines=Deadlines(settings.ack_deadline_days, settings.answer_deadline_days),
    )
    await departments.seed(Catalog.load())  # as at start: regions added since get theirs
    unlinked = [
        f"{status.department.region} ({status.pending} pending)"
        if status.pending
        else status.department.region
        for status in await departments.overview(utc_now())
        if not status.chats
    ]
    if unlinked:
        findings.warning(
            f"{len(unlinked)} departments without a linked chat (their reports go to the "
            f"fallback chat or the admins): {', '.join(unlinked)}"
        )
    else:
        findings.ok("every department has a linked chat")
    await _check_roster(departments, RosterRepository(database), findings)


async def _check_roster(
    departments: DepartmentService, roster: RosterRepository, findings: Findings
) -> None:
    """After upgrading to the roster, linked chats whose officers have not been invited yet."""
    staffed = {officer.region for officer in await roster.members()}
    bare = sorted(
        status.department.region
        for status in await departments.overview(utc_now())
        if status.chats and status.department.region not in staffed
    )
    if bare:
        findings.warning(
            f"{len(bare)} departments with a linked chat but nobody on their roster (only "
            f"admins can act on their cases; invite with /invite <region> officer): "
            f"{', '.join(bare)}"
        )


async def _check_telegram(settings: Settings, findings: Findings) -> None:
    where = settings.telegram_api_url or "api.telegram.org"
    bot = bot_client(settings)
    try:
        me = await bot.get_me(request_timeout=TELEGRAM_TIMEOUT)
    except TelegramUnauthorizedError:
        findings.problem("BOT_TOKEN is invalid: Telegram rejected it")
    except (TelegramAPIError, ClientError, TimeoutError) as exc:
        findings.problem(f"the Bot API at {where} did not answer getMe: {exc}")
    else:
        findings.ok(f"Telegram at {where}: the token belongs to @{me.username}")
    finally:
        await bot.session.close()
