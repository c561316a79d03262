"""Word, Excel and PowerPoint files (OOXML) without their author, company, device and edit history.

The package is written again part by part, after mat2's office cleaner: the document properties
become empty, custom properties, thumbnails, printer settings, people and comment-thread parts,
embedded packages, signatures and sensitivity labels are left out, together with every
relationship and content type that named them. In what stays, comment and tracked-change authors
become blank and their dates go, as do Word's revision-session ids (``rsid``), document variables,
the attached template, Excel's saved folder path and PowerPoint's comment authors. Pictures lose
their EXIF (``bot.image_segments``).
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from bot.document_archive import (
    XML_DECLARATION,
    Attrs,
    Edit,
    Name,
    Package,
    elements,
    rewrite_xml,
    write_package,
)
from bot.image_segments import strip_image

CONTENT_TYPES = "[Content_Types].xml"
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_X15AC = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
_XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
_P188 = "http://schemas.microsoft.com/office/powerpoint/2018/8/main"

_EMPTY_CORE = XML_DECLARATION + (
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)
_EMPTY_APP = XML_DECLARATION + (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>'
)
_REPLACED = {"docProps/core.xml": _EMPTY_CORE, "docProps/app.xml": _EMPTY_APP}

# Parts left out with their relationships and content types.
_DROPPED = re.compile(
    r"""^(?:docProps/(?!core\.xml$|app\.xml$)   # custom properties, thumbnails
    | customXml/ | docMetadata/ | _xmlsignatures/ | \[trash\]/
    | (?:.*/)?(?:printerSettings|embeddings|activeX|persons|threadedComments|revisions|glossary)/
    | (?:.*/)?(?:people|commentsExtended|commentsIds|commentsExtensible|usernames|revisionInfo
               |vbaProject|vbaData)\.(?:xml|bin)$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DROPPED_RELATIONSHIPS = ("/attachedTemplate", "/oleObject", "/package", "/control")

# Elements left out with everything inside them.
_DROPPED_ELEMENTS: frozenset[Name] = frozenset(
    {
        (_W, "rsids"), (_W, "docVars"), (_W, "attachedTemplate"), (_W, "mailMerge"),
        (_W, "saveThroughXslt"), (_W14, "docId"), (_W15, "docId"),
        (_S, "fileVersion"), (_X15AC, "absPath"), (_XR, "revisionPtr"),
        (_P14, "creationId"),
    }
)  # fmt: skip
# Attributes that become blank (required ones) and attributes left out, by element (None: any).
_BLANKED: frozenset[tuple[Name | None, Name]] = frozenset(
    {
        (None, (_W, "author")), (None, (_W, "initials")),
        ((_S, "fileSharing"), (None, "userName")),
        ((_P, "cmAuthor"), (None, "name")), ((_P, "cmAuthor"), (None, "initials")),
        ((_P188, "author"), (None, "name")), ((_P188, "author"), (None, "initials")),
        ((_P188, "author"), (None, "userId")), ((_P188, "author"), (None, "providerId")),
    }
)  # fmt: skip
_REMOVED: frozenset[tuple[Name | None, Name]] = frozenset(
    {
        (None, (_W, "date")),
        ((_P, "cm"), (None, "dt")),
        ((_P188, "cm"), (None, "created")), ((_P188, "reply"), (None, "created")),
    }
)  # fmt: skip
_REPLACED_TEXT: dict[Name, str] = {(_S, "author"): ""}  # Excel's list of comment authors


def office_extension(package: Package) -> str | None:
    """``docx``, ``xlsx`` or ``pptx`` by the main part's content type, else None."""
    entry = package.find(CONTENT_TYPES)
    if entry is None:
        return None
    overrides = elements(package.read(entry), (_TYPES_NS, "Override"))
    kinds = {MAIN_TYPES.get(attrs.get((None, "ContentType"), "")) for attrs in overrides}
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else None


def clean_office(package: Package) -> bytes:
    names = package.names
    dropped = {name for name in names if _DROPPED.match(name)}
    dropped |= {_rels_of(name) for name in dropped}
    dead_ids: dict[str, set[str]] = {}  # part -> ids of its relationships left out
    for name in names:
        if name.endswith(".rels") and name not in dropped:
            dead_ids[_source_of(name)] = _dead_relationships(name, package, dropped)
    parts = []
    for entry in package.entries:
        name = entry.filename
        if name in dropped or entry.is_dir():
            continue
        parts.append((name, _clean_part(name, package.read(entry), dropped, dead_ids)))
    return write_package(parts)


def _clean_part(name: str, data: bytes, dropped: set[str], dead_ids: dict[str, set[str]]) -> bytes:
    if name in _REPLACED:
        return _REPLACED[name]
    if name == CONTENT_TYPES:
        return rewrite_xml(data, _without_overrides(dropped))
    if name.endswith(".rels"):
        return rewrite_xml(data, _without_relationships(dead_ids[_source_of(name)]))
    if name.lower().endswith(".xml"):
        return rewrite_xml(data, _part_edit(dead_ids.get(name, set())), _REPLACED_TEXT)
    return strip_image(data)


def _part_edit(dead: set[str]) -> Edit:
    def edit(element: Name, attrs: Attrs) -> Attrs | None:
        if element in _DROPPED_ELEMENTS:
            return None
        kept: Attrs = {}
        for key, value in attrs.items():
            if (
                (element, key) in _REMOVED
                or (None, key) in _REMOVED
                or (key[0] == _W and key[1].startswith("rsid"))
                or (key[0] == _R and value in dead)
            ):
                continue
            blank = (element, key) in _BLANKED or (None, key) in _BLANKED
            kept[key] = "" if blank else value
        return kept

    return edit


def _without_overrides(dropped: set[str]) -> Edit:
    gone = {name.casefold() for name in dropped}

    def edit(element: Name, attrs: Attrs) -> Attrs | None:
        part = attrs.get((None, "PartName"), "")
        if element == (_TYPES_NS, "Override") and _part_name(part).casefold() in gone:
            return None
        return attrs

    return edit


def _without_relationships(dead: set[str]) -> Edit:
    def edit(element: Name, attrs: Attrs) -> Attrs | None:
        if element == (_RELS_NS, "Relationship") and attrs.get((None, "Id")) in dead:
            return None
        return attrs

    return edit


def _dead_relationships(rels: str, package: Package, dropped: set[str]) -> set[str]:
    """Ids of the relationships in ``rels`` that point at a part left out, at a template or an
    embedded object, or at a file on the author's computer (a path that may name them)."""
    entry = package.find(rels)
    if entry is None:
        return set()
    base = posixpath.dirname(_source_of(rels))
    gone = {name.casefold() for name in dropped}
    dead = set()
    for attrs in elements(package.read(entry), (_RELS_NS, "Relationship")):
        target = attrs.get((None, "Target"), "")
        kind = attrs.get((None, "Type"), "")
        if attrs.get((None, "TargetMode")) == "External":
            gone_target = _local_path(target)
        else:
            gone_target = _resolve(base, target).casefold() in gone
        if gone_target or kind.endswith(_DROPPED_RELATIONSHIPS):
            dead.add(attrs.get((None, "Id"), ""))
    return dead


def _local_path(target: str) -> bool:
    lowered = target.strip().lower()
    return (
        lowered.startswith(("file:", "\\\\", "/")) or re.match(r"^[a-z]:[\\/]", lowered) is not None
    )


def _resolve(base: str, target: str) -> str:
    target = unquote(target.partition("#")[0])
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(base, target)).lstrip("/")


def _part_name(part: str) -> str:
    return unquote(part).lstrip("/")


def _rels_of(name: str) -> str:
    """``word/_rels/document.xml.rels`` for ``word/document.xml``."""
    folder, base = posixpath.split(name)
    return posixpath.join(folder, "_rels", base + ".rels")


def _source_of(rels: str) -> str:
    """``word/document.xml`` for ``word/_rels/document.xml.rels``; ``""`` for ``_rels/.rels``."""
    folder, base = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))
