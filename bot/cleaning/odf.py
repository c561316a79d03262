"""OpenDocument files (.odt, .ods, .odp) without their author, dates, printer and edit history.

``meta.xml`` (author, dates, editing time, generator, statistics) becomes an empty meta; thumbnails,
stored versions, signatures, toolbar settings and embedded OLE objects are left out and the
manifest no longer lists them. In the content and styles, comment and tracked-change authors
become blank and their dates the epoch; LibreOffice's revision-session ids go, and so do the
printer and data-source names in ``settings.xml``. Pictures lose their EXIF
(``bot.cleaning.image_segments``).
"""

from __future__ import annotations

import re

from bot.cleaning.archive import (
    XML_DECLARATION,
    Attrs,
    Edit,
    Name,
    Package,
    Unclean,
    rewrite_xml,
    write_package,
)
from bot.cleaning.image_segments import strip_image

MIMETYPE = "mimetype"
MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
_CONFIG = "urn:oasis:names:tc:opendocument:xmlns:config:1.0"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
_OFFICEOOO = "http://openoffice.org/2009/office"
_DC = "http://purl.org/dc/elements/1.1/"

_EMPTY_META = XML_DECLARATION + (
    b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'office:version="1.2"><office:meta/></office:document-meta>'
)
# Thumbnails, toolbars, stored versions, signatures, the meta of embedded documents, and embedded
# OLE objects (``Object 2``: an Office file inside, with its own author).
_DROPPED = re.compile(
    r"^(?:Thumbnails/|Configurations2/|Versions/|VersionList\.xml$|layout-cache$"
    r"|META-INF/(?:document|macro)signatures\.xml$|.+/meta\.xml$|Object \d+$)",
    re.IGNORECASE,
)
_DROPPED_SETTINGS = frozenset(
    {
        "PrinterName", "PrinterSetup", "PrintFaxName", "RsidRoot", "Rsid",
        "CurrentDatabaseDataSource", "CurrentDatabaseCommand", "CurrentDatabaseCommandType",
    }
)  # fmt: skip
_REPLACED_TEXT: dict[Name, str] = {
    (_DC, "creator"): "",
    (_DC, "date"): "1970-01-01T00:00:00",
    (_META, "creator-initials"): "",
}


def odf_extension(package: Package) -> str | None:
    entry = package.find(MIMETYPE)
    if entry is None or entry.file_size > 100:
        return None
    return MIMETYPES.get(package.read(entry).strip())


def clean_odf(package: Package) -> bytes:
    names = package.names
    dropped = {name for name in names if _DROPPED.match(name)}
    kept_folders = {name[: i + 1] for name in names if name not in dropped for i in _slashes(name)}
    parts = []
    for entry in package.entries:
        name = entry.filename
        if name in dropped or entry.is_dir():
            continue
        parts.append((name, _clean_part(name, package.read(entry), dropped, kept_folders)))
    parts.sort(key=lambda part: part[0] != MIMETYPE)  # first, and stored, as the format asks
    return write_package(parts, stored=MIMETYPE)


def _clean_part(name: str, data: bytes, dropped: set[str], kept_folders: set[str]) -> bytes:
    if name == "meta.xml":
        return _EMPTY_META
    if name == "META-INF/manifest.xml":
        return rewrite_xml(data, _manifest_edit(dropped, kept_folders))
    if name == "settings.xml" or name.endswith("/settings.xml"):
        return rewrite_xml(data, _settings_edit)
    if name.lower().endswith((".xml", ".rdf")):
        return rewrite_xml(data, _content_edit, _REPLACED_TEXT)
    return strip_image(data)


def _content_edit(element: Name, attrs: Attrs) -> Attrs:
    return {key: value for key, value in attrs.items() if not _is_rsid(key)}


def _is_rsid(key: Name) -> bool:
    return key[0] == _OFFICEOOO and "rsid" in key[1]


def _settings_edit(element: Name, attrs: Attrs) -> Attrs | None:
    if element == (_CONFIG, "config-item") and attrs.get((_CONFIG, "name")) in _DROPPED_SETTINGS:
        return None
    return attrs


def _slashes(name: str) -> list[int]:
    return [index for index, char in enumerate(name) if char == "/"]


def _manifest_edit(dropped: set[str], kept_folders: set[str]) -> Edit:
    def edit(element: Name, attrs: Attrs) -> Attrs | None:
        if element == (_MANIFEST, "encryption-data"):
            raise Unclean("encrypted document")
        path = attrs.get((_MANIFEST, "full-path"), "")
        if element != (_MANIFEST, "file-entry") or path == "/":
            return attrs
        if path in dropped:
            return None
        if path.endswith("/") and path not in kept_folders:
            return None  # a folder whose files were all left out
        return attrs

    return edit
