"""Names of the fixed values a report carries, in the current language."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.core.values import CaseStatus, Occurred, Resolution


def occurred_labels() -> dict[Occurred, str]:
    return {
        Occurred.NOW: _("⚡ Happening right now"),
        Occurred.TODAY: _("Today"),
        Occurred.WEEK: _("This week"),
        Occurred.MONTH: _("This month"),
        Occurred.EARLIER: _("Earlier"),
        Occurred.UNKNOWN: _("I don't remember"),
    }


def resolution_labels() -> dict[str, str]:
    return {
        Resolution.REFERRED: _("Referred for investigation"),
        Resolution.NOT_CONFIRMED: _("Not confirmed"),
        Resolution.NOT_COMPETENT: _("Outside our competence"),
        Resolution.DUPLICATE: _("Duplicate"),
    }


def status_labels() -> dict[str, str]:
    return {
        CaseStatus.NEW: _("received, being passed to the service"),
        CaseStatus.DELIVERED: _("passed to the service, waiting to be accepted"),
        CaseStatus.ACCEPTED: _("accepted for review"),
        CaseStatus.AWAITING_REPORTER: _("waiting for your answer"),
        CaseStatus.CLOSED: _("closed"),
    }


def case_status_labels() -> dict[str, str]:
    """Statuses as the service reads them; ``status_labels`` speaks to the reporter."""
    return {**status_labels(), CaseStatus.AWAITING_REPORTER: _("waiting for the reporter's answer")}


def role_labels() -> dict[str, str]:
    """Places on a department's roster (``bot.departments.roster.Role``)."""
    return {
        "officer": _("officer"),
        "head": _("head (also invites and removes officers)"),
    }
