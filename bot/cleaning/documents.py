"""Documents (PDF, OOXML, ODF) without their author, company, device and edit history.

Runs on untrusted bytes inside the cleaning sandbox (``bot.cleaning.images``); archives are bounded
in entries and unpacked size, XML is parsed with ``defusedxml``. The formats: ``bot.cleaning.pdf``,
``bot.cleaning.office``, ``bot.cleaning.odf``; the budgets: ``bot.cleaning.archive``.
"""

from __future__ import annotations

import logging

from bot.cleaning.archive import DocumentRefused, Package, Unclean, open_package
from bot.cleaning.odf import clean_odf, odf_extension
from bot.cleaning.office import clean_office, office_extension
from bot.cleaning.pdf import clean_pdf, is_pdf

__all__ = ["DocumentRefused", "clean_document", "document_extension"]

logger = logging.getLogger(__name__)
_ZIP = b"PK\x03\x04"


def document_extension(data: bytes) -> str | None:
    """``pdf``, ``docx``, ``xlsx``, ``pptx``, ``odt``, ``ods`` or ``odp`` by content, else None.
    Raises ``DocumentRefused`` for an archive over the budget: a zip bomb is refused, not kept."""
    if not data.startswith(_ZIP):
        return "pdf" if is_pdf(data) else None
    try:
        return _package_extension(open_package(data))
    except DocumentRefused:
        raise
    except Exception:  # a damaged archive is no document we know
        return None


def clean_document(data: bytes) -> bytes | None:
    """The document without its metadata; None when it is not one this module cleans or cannot be
    proven clean (kept as sent, with the warning). Raises ``DocumentRefused`` for a hostile file."""
    try:
        return _clean(data)
    except DocumentRefused:
        raise
    except MemoryError as exc:
        raise DocumentRefused("over the memory budget") from exc
    except Unclean as exc:
        logger.info("A document could not be cleaned (%s); kept as sent", exc)
    except Exception as exc:  # pikepdf, zipfile and the parsers raise many kinds on bad input
        logger.info("A document could not be cleaned (%s); kept as sent", type(exc).__name__)
    return None


def _clean(data: bytes) -> bytes | None:
    if not data.startswith(_ZIP):
        return clean_pdf(data) if is_pdf(data) else None
    package = open_package(data)
    kind = _package_extension(package)
    if kind in ("docx", "xlsx", "pptx"):
        return clean_office(package)
    if kind in ("odt", "ods", "odp"):
        return clean_odf(package)
    return None


def _package_extension(package: Package) -> str | None:
    return odf_extension(package) or office_extension(package)
