"""Longer user-facing texts shared by several handlers. Every string goes through gettext."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def false_report_warning() -> str:
    """Reassurance first, then the liability: the last thing read before Submit."""
    return _(
        "🛡 A report made in good faith is protected, even if the facts are not confirmed later. "
        "Only a knowingly false report of a crime is punishable (article 419 of the Criminal "
        "Code): a false accusation of a corruption crime, by 3 to 8 years of imprisonment."
    )


def telegram_sees() -> str:
    return _(
        "<b>What Telegram sees:</b> chats with bots are not end-to-end encrypted, so Telegram "
        "itself can see this chat. If you are at risk, write from a separate Telegram account."
    )


def voice_masking() -> str:
    """What masking does and does not do, told before a voice is sent (the evidence step, the
    prompts of /status, /privacy)."""
    return _(
        "🎙 <b>Voice:</b> the bot changes the voice in voice messages and audio files (its pitch "
        "and timbre) before anything is stored, and officers hear only the changed voice. It does "
        "not hide the words, the way of speaking (accent, pet phrases), background sounds, or a "
        "name or place said aloud. If in doubt, type."
    )


def voice_changed() -> str:
    """Said once a recording, or a video's sound, is stored masked."""
    return _(
        "🎙 The voice in it was changed before it was stored. Not hidden: the words, the way of "
        "speaking, background sounds, a name or place said aloud."
    )


def round_video_refused() -> str:
    """Why a round video message is not taken, and what to send instead."""
    return _(
        "This round video was not accepted, and nothing of it was kept: a round video usually "
        "shows the sender's face, and the bot does not change the voice in it. Send a voice "
        "message instead (its voice is changed), an ordinary video filmed without showing "
        "yourself, or describe it in text."
    )


def urgent_advice(hotline: str) -> str:
    return _(
        "🚨 If you are in danger or a bribe is being extorted from you right now, call <b>102</b> "
        "(police) or <b>{hotline}</b>. Your report will go to the service within a minute of "
        "sending, without waiting for the daily digest."
    ).format(hotline=hotline)


def welcome(hotline: str) -> str:
    """The first /start only: what the bot is and what to know at once; the rest is one tap
    away, behind «More about privacy»."""
    return "\n\n".join(
        (
            _(
                "<b>Adal</b> is a confidential channel for reporting corruption to the "
                "anti-corruption service of your region. The bot does not keep your name, phone "
                "number or Telegram ID."
            ),
            _("⚠️ Telegram can see this chat: if you are at risk, write from a separate account."),
            emergency(hotline),
            news_note(),
        )
    )


def emergency(hotline: str) -> str:
    return _("🚨 Emergency: <b>102</b>. Anti-corruption call centre: <b>{hotline}</b>.").format(
        hotline=hotline
    )


def news_note() -> str:
    return _(
        "📣 Now and then the bot sends short news from the anti-corruption service. "
        "/news turns them off or on."
    )


HELP = "help"
PRIVACY = "privacy"
ADMIN_PAGES = ("broadcasts", "departments")


def help_pages(hotline: str, *, admin: bool) -> dict[str, tuple[str, str]]:
    """/help by section, each a page that fits a phone: label of its button, text."""
    pages = {
        "report": (
            _("📝 How to report"),
            _(
                "<b>How to report</b>\nPress /report and answer a few short questions: region, "
                "sphere, when, where, what happened, evidence. At the end you get a receipt code."
            )
            + "\n\n"
            + emergency(hotline),
        ),
        "after": (
            _("📬 What happens next"),
            _(
                "<b>What happens to a report</b>\nIt goes to the anti-corruption service of the "
                "region you chose. With the receipt code you can follow its status (/status) and "
                "add information. If you allow it, the service can ask you questions through the "
                "bot without learning who you are."
            ),
        ),
        "channels": (
            _("☎️ Other channels"),
            _(
                "<b>Other channels</b>\n☎️ {hotline}: the anti-corruption call centre, free of "
                "charge.\n🚨 102: the police, in an emergency.\n📝 eOtinish and the eGov portal: "
                "written appeals. They require a digital signature, so they are not anonymous."
            ).format(hotline=hotline),
        ),
        "protection": (
            _("🛡 Protection"),
            _(
                "<b>Protection and rewards</b>\nThe state protects people who report corruption, "
                "and disclosing their identity is an offence. The law also provides rewards for "
                "reporting corruption, paid after the court's verdict comes into force and only "
                "to a person who can be identified. An anonymous report through this bot cannot "
                "claim one: to claim a reward, apply to the service under your own name."
            ),
        ),
        "facts": (
            _("⚖️ Facts and the law"),
            _(
                "Anonymous reports are examined when they describe a crime with concrete facts: "
                "who (a position is enough), what, where and when."
            )
            + "\n\n"
            + false_report_warning(),
        ),
        "commands": (
            _("⌨️ Commands"),
            _(
                "Commands: /report: new report, /status: check a report, /news: news on or off, "
                "/language: language, /privacy: what is stored, /cancel: cancel."
            ),
        ),
    }
    if admin:
        pages.update(admin_help_pages())
    return pages


def admin_help_pages() -> dict[str, tuple[str, str]]:
    """What an admin's own commands do, in the admin's /help."""
    return {
        "broadcasts": (
            _("📣 Broadcasts"),
            _(
                "<b>For admins: news and figures</b>\n"
                "/broadcast: news to subscribers, from a ready text or your own, in both "
                "languages, with a preview; send now or schedule it.\n"
                "/broadcasts: recent and scheduled broadcasts; a scheduled one can be cancelled.\n"
                "/stats: the figures, with a chart.\n"
                "/export: the cases as a CSV file."
            ),
        ),
        "departments": (
            _("🏢 Departments"),
            _(
                "<b>For admins: departments and cases</b>\n"
                "/departments: the regions that need attention first (no chat, a chat "
                "refusing the bot, cases undelivered or overdue), then the others.\n"
                "/invite region_code: a one-time code that links a department chat (/invite "
                "alone lists the codes); "
                "/invite region_code officer (or head): a personal code for one person.\n"
                "/officers: who is on the rosters; /remove region_code user_id: take someone off.\n"
                "/unlink region_code: unlink the department's chats; "
                "/rename region_code kk|ru name: rename the department.\n"
                "/audit case_number: who acted on a case; /reopen case_number: reopen a closed "
                "case."
            ),
        ),
    }


def privacy_pages(draft_hours: int) -> dict[str, tuple[str, str]]:
    """/privacy by section, each a page that fits a phone: label of its button, text."""
    voice = _("🎙 Voice")
    return {
        "stored": (
            _("📦 What is stored"),
            _(
                "<b>What is stored</b>\nThe text of your report, the place, the files and any "
                "information you add later are stored encrypted (AES-256-GCM); the keys are kept "
                "apart from the database. The region, sphere, period and status are stored "
                "unencrypted so that the report can be routed and counted. The receipt code is "
                "stored only as a one-way keyed hash, so nobody can read it back."
            ),
        ),
        "not_stored": (
            _("🚫 What is not kept"),
            _(
                "<b>What is not stored</b>\nYour name, username, phone number and Telegram ID. "
                "Your language choice and your unfinished draft are kept under a keyed pseudonym, "
                "not your ID. If you allow questions from the service, the address of this chat "
                "is kept, encrypted, for that one report only."
            ),
        ),
        "readers": (
            _("👥 Who reads it"),
            _(
                "<b>Who reads a report</b>\nOfficers of the anti-corruption service of the region. "
                "They do not see who sent it: the bot never forwards your messages, it passes on "
                "copies without your name."
            ),
        ),
        "telegram": (_("👁 Telegram"), telegram_sees()),
        "files": (
            _("📎 Files"),
            _(
                "<b>Files</b>\nTelegram removes metadata from photos sent as photos. The bot "
                "removes it from images sent as files (JPEG, PNG, WebP), from videos (MP4, MOV) "
                "and from documents (PDF, Word, Excel, PowerPoint, OpenDocument), and never keeps "
                "a file's name. What the file itself shows stays: a name written in a document, a "
                "signature, a face. Other files (archives, HEIC pictures and others) keep their "
                "metadata: the author, the device, sometimes the location. Voices are changed: "
                "see «{button}»."
            ).format(button=voice),
        ),
        "voice": (
            voice,
            voice_masking()
            + "\n\n"
            + _(
                "In a video, the bot changes the voice where it can; otherwise the sound stays as "
                "recorded. Round video messages are not accepted: they usually show the sender's "
                "face."
            ),
        ),
        "news": (
            _("📣 News"),
            _(
                "<b>News</b>\nTo send you news, the bot keeps the address of this chat "
                "encrypted, with your language, the region you chose for local news and the day "
                "you subscribed: no time of day and no link to any report. /news turns news off."
            ),
        ),
        "drafts": (
            _("📝 Drafts"),
            _(
                "<b>Drafts</b>\nAn unfinished report is deleted after {hours} hours without "
                "activity. After submitting, save the receipt code somewhere safe and you may "
                "delete this chat."
            ).format(hours=draft_hours),
        ),
    }


def bot_description(hotline: str) -> str:
    return _(
        "Adal: report corruption in Kazakhstan confidentially, in Kazakh or Russian. Reports "
        "are encrypted and go to the anti-corruption service of the region; the bot does not "
        "keep your name or account. Telegram can see this chat. Emergency: 102. Call centre: "
        "{hotline}."
    ).format(hotline=hotline)


def bot_short_description() -> str:
    return _("Confidential reports of corruption in Kazakhstan. Emergency: 102.")


def commands() -> dict[str, str]:
    return {
        "start": _("Main menu"),
        "report": _("Report corruption"),
        "status": _("Check a report by its receipt code"),
        "help": _("Help, hotlines, protection of reporters"),
        "privacy": _("What is stored and who sees it"),
        "news": _("Turn news on or off"),
        "language": _("Change the language"),
        "cancel": _("Cancel the current action"),
    }


def group_commands() -> dict[str, str]:
    """The menu in groups: what a department chat's officers send there."""
    return {
        "open": _("Open cases, with their cards"),
        "stats": _("Statistics of this chat's regions"),
        "language": _("The language of this chat"),
        "join": _("Link this chat with a code"),
        "unlink": _("Unlink this chat"),
    }


def admin_commands(*, workspace: bool = False) -> dict[str, str]:
    """The menu an admin sees in their private chat: the citizen's commands and these (with
    ``workspace``, /workspace too)."""
    return {
        **commands(),
        **({"workspace": _("Open the web workspace")} if workspace else {}),
        "broadcast": _("Send news to subscribers"),
        "broadcasts": _("Recent broadcasts"),
        "stats": _("Statistics"),
        "export": _("Export cases as CSV"),
        "departments": _("Departments and their chats"),
        "invite": _("A code to link a department chat"),
        "officers": _("Officers on the departments' rosters"),
        "audit": _("Who acted on a case"),
        "reopen": _("Reopen a closed case"),
    }
