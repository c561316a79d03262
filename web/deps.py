"""What the workspace's handlers use, put on the application once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from aiogram import Bot
from aiogram.utils.i18n import I18n
from aiohttp import web

from bot.broadcasts.service import BroadcastService
from bot.cases.card import CaseCards
from bot.cases.service import CaseService
from bot.core.catalog import Catalog
from bot.core.deadlines import Deadlines
from bot.departments.roster import Roster
from bot.departments.service import DepartmentService
from bot.security.crypto import Pseudonyms
from bot.settings import Settings
from bot.stats.service import StatsService
from bot.telegram.languages import LanguageService
from bot.workspace.access import WorkspaceAccess
from bot.workspace.board import CaseBoard
from bot.workspace.case_page import CasePages
from bot.workspace.deadlines import DeadlinesView
from storage.prefs import PrefsRepository


@dataclass(frozen=True, slots=True)
class WorkspaceDeps:
    settings: Settings
    bot: Bot
    access: WorkspaceAccess
    i18n: I18n
    catalog: Catalog
    zone: tzinfo
    deadlines: Deadlines
    pseudonyms: Pseudonyms
    prefs: PrefsRepository
    languages: LanguageService
    roster: Roster
    departments: DepartmentService
    cases: CaseService
    cards: CaseCards
    stats: StatsService
    broadcasts: BroadcastService
    case_pages: CasePages
    board: CaseBoard
    deadline_view: DeadlinesView


DEPS = web.AppKey("deps", WorkspaceDeps)
