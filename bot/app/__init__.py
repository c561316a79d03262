"""The composition root: services built from the settings, the bot and dispatcher around them,
the scheduler, start and stop. The only package that imports ``handlers``."""

from bot.app.dispatcher import create_bot, create_dispatcher, publish_profile
from bot.app.lifecycle import Runtime, finish_updates, run_digest, run_polling, run_webhook
from bot.app.scheduler import create_scheduler, make_closes_final
from bot.app.services import (
    Repositories,
    Services,
    build_services,
    create_broadcast_runner,
    create_sender,
)

__all__ = [
    "Repositories",
    "Runtime",
    "Services",
    "build_services",
    "create_bot",
    "create_broadcast_runner",
    "create_dispatcher",
    "create_scheduler",
    "create_sender",
    "finish_updates",
    "make_closes_final",
    "publish_profile",
    "run_digest",
    "run_polling",
    "run_webhook",
]
