"""The page's own words, from the same gettext catalogs as the bot's, in the viewer's language.

Each part of the page adds its strings here under keys the page's modules look up (``t(key)``).
"""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from web import admin, board, cases, deadlines


def ui_strings() -> dict[str, str]:
    return {
        **welcome_strings(),
        **_shell(),
        **board.strings(),
        **cases.strings(),
        **deadlines.strings(),
        **admin.strings(),
    }


def welcome_strings() -> dict[str, str]:
    """Before signing in: why the page cannot go on."""
    return {
        "error.outside": _(
            "Open the workspace from the bot in Telegram: the button in your private chat with "
            "the bot."
        ),
        "error.refused": _(
            "Access refused. The workspace is for the officers of a department's roster: open "
            "it again from the bot."
        ),
        "error.network": _("No connection. Check the network and try again."),
        "close": _("Close"),
    }


def _shell() -> dict[str, str]:
    return {
        "title": _("Adal: workspace"),
        "nav.cases": _("Cases"),
        "nav.deadlines": _("Deadlines"),
        "nav.admin": _("Administration"),
        "loading": _("Loading…"),
        "language": _("Language"),
        "error.session": _(
            "The session has ended. Close the workspace and open it again from the bot."
        ),
        "error.not_found": _("Not found."),
        "error.failed": _("Something went wrong. Try again."),
        "retry": _("Try again"),
    }
