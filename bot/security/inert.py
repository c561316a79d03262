"""An officer's words made inert before a reporter reads them: nothing in them can be tapped.

A question could carry a link (``https://…/upload?t=…``) that, opened, gives the reporter's IP
address and device away, or an @username, an e-mail or a phone number that invites the reporter
to step outside the bot. Telegram makes such patterns tappable by itself, even in plain text
(its entity finders: URLs with or without a scheme, ``tg:`` links, e-mails, mentions, hashtags,
cashtags, bot commands), so each is broken visibly, the way security advisories quote hostile
addresses: ``https[:]//evil[.]kz/upload``, ``name[@]mail[.]kz``, ``[@]officer``. It stays
readable and cannot be opened. Text links (``<a href>``) never get here: questions are read as
plain text and escaped.
"""

from __future__ import annotations

import re
import unicodedata

# Telegram accepts the ideographic and fullwidth full stops between domain labels too.
_DOTS = ".\u3002\uff0e\uff61"
# The colon of any "…://", of tel:, sms:, callto:, tg: and mailto: links, and of any other
# scheme-like word glued to what follows ("tg:resolve"; not "10:30" nor "Note: text").
_SCHEME = re.compile(
    r"(?i):(?=//)"
    r"|(?<![a-z0-9])(?:tel|sms|callto|tg|mailto):(?=\S)"
    r"|(?<![a-z0-9])[a-z][a-z0-9+.-]{0,31}:(?=[^\s\d])"
)
_IPV4 = re.compile(rf"(?<![\w{_DOTS}])\d{{1,3}}(?:[{_DOTS}]\d{{1,3}}){{3}}(?![\w])")
_DOT = re.compile(rf"[{_DOTS}](?=\w)")
_MARKS = re.compile(r"(?<!\w)([@#$+])(?=\w)|(?<=\w)(@)(?=\w)")
_COMMAND = re.compile(r"(?<![\w/])/(?=\w)")
_KEEP_FORMAT = "\u200d"  # the joiner inside emoji sequences


def inert(text: str) -> str:
    """``text`` with every pattern Telegram would make tappable visibly broken."""
    text = "".join(
        char for char in text if char == _KEEP_FORMAT or unicodedata.category(char) != "Cf"
    )
    text = _SCHEME.sub(lambda match: f"{match.group(0)[:-1]}[:]", text)
    text = _IPV4.sub(lambda match: _bracket_dots(match.group(0)), text)
    text = _DOT.sub(_dot, text)
    text = _MARKS.sub(lambda match: f"[{match.group(1) or match.group(2)}]", text)
    return _COMMAND.sub("[/]", text)


def _dot(match: re.Match[str]) -> str:
    """A dot between two digits is a decimal point (``1.5``, ``200.000``); any other, a label's."""
    text, at = match.string, match.start()
    if at and text[at - 1].isdigit() and text[at + 1].isdigit():
        return match.group(0)
    return f"[{match.group(0)}]"


def _bracket_dots(address: str) -> str:
    return re.sub(f"[{_DOTS}]", lambda match: f"[{match.group(0)}]", address)
