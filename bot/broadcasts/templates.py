"""Ready awareness messages, in the current language; every fact comes from docs FACTS.md.

Amounts of rewards and the exact wording of exemptions are left out on purpose: FACTS.md marks
them as possibly changed or unconfirmed. The hotline number is the ``HOTLINE`` setting.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from aiogram.utils.i18n import gettext as _


class Template(StrEnum):
    HOTLINE = "hotline"
    LIABILITY = "liability"
    PROTECTION = "protection"
    FALSE_REPORT = "false"
    HOW_TO = "howto"


def template_names() -> dict[Template, str]:
    return {
        Template.HOTLINE: _("📞 Hotline and other channels"),
        Template.LIABILITY: _("⚖️ Liability for bribes"),
        Template.PROTECTION: _("🛡 Protection and rewards"),
        Template.FALSE_REPORT: _("⚠️ False reports"),
        Template.HOW_TO: _("🤖 How to use the bot"),
    }


def _hotline(hotline: str) -> str:
    return _(
        "📞 <b>Where to report corruption</b>\n\n"
        "• Call centre {hotline}: free of charge, around the clock.\n"
        "• Police: 102, around the clock.\n"
        "• A written appeal through eOtinish or egov.kz: it is signed with a digital signature, "
        "so it is not anonymous.\n"
        "• This bot: confidentially, in Kazakh or Russian, with a code to follow your report.\n\n"
        "A report with concrete facts (who, where, when, what) is what makes a check possible."
    ).format(hotline=hotline)


def _liability(hotline: str) -> str:
    return _(
        "⚖️ <b>A bribe is a crime on both sides</b>\n\n"
        "Taking a bribe (article 366 of the Criminal Code), giving one (article 367) and "
        "mediating in bribery (article 368) are crimes. Giving a bribe is punished by a fine or "
        "up to five years of imprisonment, with a lifetime ban on holding certain posts.\n\n"
        "Whoever was forced to give a bribe, or reported it of their own accord, may be released "
        "from liability. Report extortion: call {hotline} or send /report."
    ).format(hotline=hotline)


def _protection(hotline: str) -> str:
    return _(
        "🛡 <b>Those who report corruption are protected</b>\n\n"
        "The state protects people who report corruption (article 24 of the Law «On combating "
        "corruption»). Since 2023 they are covered by the witness protection programme, and "
        "disclosing their identity is an offence.\n\n"
        "A reward is paid for a report that helps to expose corruption, after the court's verdict "
        "enters into force. A reward needs the reporter to be identifiable: an anonymous report "
        "cannot claim it. Call centre: {hotline}."
    ).format(hotline=hotline)


def _false_report(hotline: str) -> str:
    return _(
        "⚠️ <b>Report only what is true</b>\n\n"
        "A knowingly false report of a crime is itself a crime (article 419 of the Criminal "
        "Code). Falsely accusing someone of a corruption crime is punished by three to eight "
        "years of imprisonment.\n\n"
        "If you are unsure, describe what you saw and heard yourself, without conclusions: "
        "checking the facts is the anti-corruption service's job."
    )


def _how_to(hotline: str) -> str:
    return _(
        "🤖 <b>How to report through this bot</b>\n\n"
        "1. Send /report and answer a few questions: the region, the sphere, when and where it "
        "happened, what happened.\n"
        "2. Attach photos or documents if you have them.\n"
        "3. Keep the receipt code. With /status you can follow your report and answer the "
        "department's questions without revealing who you are.\n\n"
        "Your report is stored encrypted and your name is never passed on. Telegram itself can "
        "see chats with bots: see /privacy. Call centre: {hotline}."
    ).format(hotline=hotline)


_TEXTS: dict[Template, Callable[[str], str]] = {
    Template.HOTLINE: _hotline,
    Template.LIABILITY: _liability,
    Template.PROTECTION: _protection,
    Template.FALSE_REPORT: _false_report,
    Template.HOW_TO: _how_to,
}


def template_text(template: Template, hotline: str) -> str:
    return _TEXTS[template](hotline)
