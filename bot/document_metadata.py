"""Documents (PDF, OOXML, ODF) without their author, company, device and edit history.

Runs on untrusted bytes inside the cleaning sandbox (``bot.metadata``); archives are bounded in
entries and unpacked size, XML is parsed with ``defusedxml``.
"""

from __future__ import annotations


class DocumentRefused(Exception):
    """A hostile or over-budget document (a zip bomb, too many entries): refused, never kept."""


def document_extension(data: bytes) -> str | None:
    """``pdf``, ``docx``, ``xlsx``, ``pptx``, ``odt``, ``ods`` or ``odp`` by content, else None."""
    return None


def clean_document(data: bytes) -> bytes | None:
    """The document without its metadata; None when it is not one this module cleans or cannot be
    proven clean (kept as sent, with the warning). Raises ``DocumentRefused`` for a hostile file."""
    return None
