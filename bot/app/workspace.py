"""The web workspace's dependencies, from the services (with ``WEBAPP_URL`` set)."""

from __future__ import annotations

from aiogram import Bot

from bot.app.services import Services
from bot.cases.evidence import EvidenceFiles
from bot.workspace.access import WorkspaceAccess
from bot.workspace.board import CaseBoard, Summaries
from bot.workspace.case_page import CasePages
from bot.workspace.deadlines import DeadlinesView
from bot.workspace.sessions import SessionTokens
from storage.board import BoardRepository
from web.deps import WorkspaceDeps


def workspace_deps(services: Services, bot: Bot) -> WorkspaceDeps | None:
    settings = services.settings
    if settings.webapp_url is None:
        return None
    access = WorkspaceAccess(
        roster=services.roster,
        tokens=SessionTokens(services.cipher, settings.webapp_session_seconds),
        logins=services.repositories.webapp,
        bot_token=settings.bot_token.get_secret_value(),
        max_age=settings.webapp_auth_max_age,
    )
    board = BoardRepository(services.database, services.deadlines)
    summaries = Summaries(
        cipher=services.cipher,
        catalog=services.catalog,
        deadlines=services.deadlines,
        zone=settings.tz,
    )
    return WorkspaceDeps(
        settings=settings,
        bot=bot,
        access=access,
        i18n=services.i18n,
        catalog=services.catalog,
        zone=settings.tz,
        deadlines=services.deadlines,
        pseudonyms=services.pseudonyms,
        prefs=services.repositories.prefs,
        languages=services.languages,
        roster=services.roster,
        departments=services.departments,
        cases=services.cases,
        cards=services.cards,
        stats=services.stats,
        broadcasts=services.broadcasts,
        case_pages=CasePages(
            bot=bot,
            cases=services.repositories.cases,
            outbox=services.repositories.outbox,
            board=board,
            service=services.cases,
            cards=services.cards,
            evidence=EvidenceFiles(
                attachments=services.repositories.attachments, cipher=services.cipher
            ),
            cipher=services.cipher,
            catalog=services.catalog,
            deadlines=services.deadlines,
            zone=settings.tz,
        ),
        board=CaseBoard(
            board=board, summaries=summaries, catalog=services.catalog, zone=settings.tz
        ),
        deadline_view=DeadlinesView(
            board=board,
            summaries=summaries,
            roster=services.roster,
            catalog=services.catalog,
            deadlines=services.deadlines,
        ),
    )
