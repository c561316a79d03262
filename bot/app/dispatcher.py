"""The bot and the dispatcher around the services: middlewares, routers, and the profile
(command menus, descriptions) published at start."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.filters import ExceptionTypeFilter
from aiogram.fsm.storage.base import BaseEventIsolation
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeChat, ErrorEvent
from redis.exceptions import RedisError

from bot.app.services import Services
from bot.reports.trail import SentMessages, TrailMiddleware
from bot.settings import SUPPORTED_LOCALES, Settings
from bot.telegram.i18n import LocaleChooser, LocaleMiddleware
from bot.telegram.metrics import MetricsMiddleware
from bot.telegram.middlewares import (
    InFlightUpdates,
    OneUpdateRowsMiddleware,
    PseudonymMiddleware,
    ViewMiddleware,
)
from bot.telegram.patches import run_filters_on_loop
from bot.telegram.sanitize import CleanTextMiddleware
from bot.telegram.session import bot_client
from bot.telegram.throttle import ThrottleMiddleware
from bot.ui import texts
from handlers import get_routers
from storage.backends import UNREACHABLE

logger = logging.getLogger(__name__)


def create_bot(settings: Settings) -> Bot:
    """The bot, noting the messages it sends while an update is handled (the chat trail)."""
    bot = bot_client(settings)
    bot.session.middleware(SentMessages())
    return bot


def create_dispatcher(
    services: Services, events_isolation: BaseEventIsolation | None = None
) -> Dispatcher:
    dispatcher = Dispatcher(
        storage=services.fsm,
        events_isolation=events_isolation or services.shared.isolation,
        disable_fsm=True,  # registered below, inside the scope of one update's FSM rows
        settings=services.settings,
        reports=services.reports,
        languages=services.languages,
        departments=services.departments,
        roster=services.roster,
        cases=services.cases,
        cards=services.cards,
        prompts=services.prompts,
        subscribers=services.subscribers,
        broadcasts=services.broadcasts,
        stats=services.stats,
        trail=services.trail,
        intake=services.intake,
        checks=services.checks,
        status_lookup=services.status_lookup,
        open_cases=services.open_cases,
        deadlines=services.deadlines,
    )
    dispatcher.update.outer_middleware(MetricsMiddleware(services.metrics))
    dispatcher["in_flight"] = in_flight = InFlightUpdates()
    dispatcher.update.outer_middleware(in_flight)
    dispatcher.update.outer_middleware(PseudonymMiddleware(services.pseudonyms))
    choose_locale = LocaleChooser(
        services.repositories.prefs, services.departments.chat_locale, services.i18n.default_locale
    )
    dispatcher.update.outer_middleware(
        ThrottleMiddleware(
            services.shared.messages, services.shared.presses, services.i18n, choose_locale
        )
    )
    dispatcher.update.outer_middleware(OneUpdateRowsMiddleware())
    dispatcher.update.outer_middleware(dispatcher.fsm)
    clean = CleanTextMiddleware()
    dispatcher.message.outer_middleware(clean)
    dispatcher.callback_query.outer_middleware(clean)
    LocaleMiddleware(services.i18n, choose_locale).setup(dispatcher)
    trail = TrailMiddleware(services.trail)
    dispatcher.message.outer_middleware(trail)
    dispatcher.callback_query.outer_middleware(trail)
    view = ViewMiddleware(services.catalog, services.settings.tz)
    for name, observer in dispatcher.observers.items():
        if name != "update":
            observer.outer_middleware(view)
    dispatcher.errors.register(leave_for_redelivery, ExceptionTypeFilter(RedisError, *UNREACHABLE))
    dispatcher.include_routers(*get_routers(services.settings.admin_ids))
    run_filters_on_loop(dispatcher)
    return dispatcher


async def leave_for_redelivery(event: ErrorEvent) -> None:
    """Redis or the database did not answer: the update fails rather than being apologised for
    (the errors router), so that webhook mode answers 500 and Telegram posts it again later."""
    logger.warning(
        "Redis or the database did not answer (%s): the update is left to be posted again",
        type(event.exception).__name__,
    )
    raise event.exception


async def publish_profile(bot: Bot, services: Services) -> None:
    """The command menu and descriptions, in each language and as the default; admins' menus."""
    settings = services.settings
    for locale in (*SUPPORTED_LOCALES, None):
        with services.i18n.context(), services.i18n.use_locale(locale or settings.default_locale):
            commands = [
                BotCommand(command=name, description=text)
                for name, text in texts.commands().items()
            ]
            await bot.set_my_commands(commands, language_code=locale)
            await bot.set_my_description(
                texts.bot_description(settings.hotline), language_code=locale
            )
            await bot.set_my_short_description(texts.bot_short_description(), language_code=locale)
            await bot.set_my_commands(
                [BotCommand(command=k, description=v) for k, v in texts.group_commands().items()],
                scope=BotCommandScopeAllGroupChats(),
                language_code=locale,
            )
    for admin_id in sorted(settings.admin_ids):
        saved = await services.repositories.prefs.get_locale(
            services.pseudonyms.digest("user", admin_id)
        )
        with services.i18n.context(), services.i18n.use_locale(saved or settings.default_locale):
            await bot.set_my_commands(
                [
                    BotCommand(command=k, description=v)
                    for k, v in texts.admin_commands(
                        workspace=settings.webapp_url is not None
                    ).items()
                ],
                scope=BotCommandScopeChat(chat_id=admin_id),
            )
