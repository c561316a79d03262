"""Word, Excel and PowerPoint files (OOXML) without their author, company, device and edit history.

The package is written again part by part, after mat2's office cleaner: the document properties
become empty, custom properties, thumbnails, printer settings, people and comment-thread parts,
embedded packages, signatures and sensitivity labels are left out, together with every
relationship and content type that named them. In what stays, comment and tracked-change authors
become blank and their dates go, as do Word's revision-session ids (``rsid``), document variables,
the attached template, Excel's saved folder path and PowerPoint's comment authors. Pictures lose
their EXIF (``bot.cleaning.image_segments``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote

from bot.cleaning.archive import (
    XML_DECLARATION,
    Attrs,
    Edit,
    Name,
    Package,
    Unclean,
    elements,
    rewrite_xml,
    write_package,
)
from bot.cleaning.image_segments import strip_image

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
_W16DU = "http://schemas.microsoft.com/office/word/2023/wordml/word16du"
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_X15AC = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
_XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
_P188 = "http://schemas.microsoft.com/office/powerpoint/2018/8/main"
_STRICT = "http://purl.oclc.org/ooxml/"

_EMPTY_CORE = XML_DECLARATION + (
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    b'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)
_EMPTY_APP = XML_DECLARATION + (
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'extended-properties"/>'
)
# By content type, whatever the part's name (.NET writes core properties to a .psmdcp part).
_REPLACED = {
    "application/vnd.openxmlformats-package.core-properties+xml": _EMPTY_CORE,
    "application/vnd.openxmlformats-officedocument.extended-properties+xml": _EMPTY_APP,
}

# Parts left out, with their relationships and content types: by name, by content type, and as
# targets of relationships of these types.
_DROPPED = re.compile(
    r"""^(?:docProps/(?!core\.xml$|app\.xml$)   # custom properties, thumbnails
    | customXml/ | docMetadata/ | _xmlsignatures/ | \[trash\]/
    | (?:.*/)?(?:printerSettings|embeddings|activeX|persons|threadedComments|revisions|glossary
               |changesInfos)/
    | (?:.*/)?(?:people|commentsExtended|commentsIds|commentsExtensible|usernames|revisionInfo
               |vbaProject|vbaData)\.(?:xml|bin)$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DROPPED_TYPES = (
    "custom-properties+xml", "customxmlproperties+xml", "printersettings", "vbaproject",
    "digital-signature-xmlsignature+xml", "digital-signature-origin", "people+xml",
    "person+xml", "threadedcomments+xml", "commentsextended+xml", "commentsids+xml",
    "commentsextensible+xml", "revisioninfo+xml", "changesinfo+xml",
)  # fmt: skip
_DROPPED_RELATIONSHIPS = (
    "/metadata/thumbnail", "/custom-properties", "/customxml", "/printersettings", "/people",
    "/commentsextended", "/commentsids", "/commentsextensible", "/person", "/threadedcomment",
    "/attachedtemplate", "/oleobject", "/package", "/control", "/vbaproject",
    "/digital-signature/origin", "/revisioninfo", "/usernames", "/revisionheaders",
    "/glossarydocument", "/classificationlabels", "/changesinfo",
)  # fmt: skip

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
        (None, (_W, "date")), (None, (_W16DU, "dateUtc")),
        ((_P, "cm"), (None, "dt")),
        ((_P188, "cm"), (None, "created")), ((_P188, "reply"), (None, "created")),
    }
)  # fmt: skip
_REPLACED_TEXT: dict[Name, str] = {(_S, "author"): ""}  # Excel's list of comment authors


@dataclass(frozen=True, slots=True)
class _Relationship:
    id: str
    kind: str  # its type, casefolded
    target: str | None  # the part it points at (casefolded), None for an external target
    local: bool  # an external target on the author's computer: a path that may name them


def office_extension(package: Package) -> str | None:
    """``docx``, ``xlsx`` or ``pptx`` by the main part's content type, else None."""
    kinds = {MAIN_TYPES.get(kind) for kind in _content_types(package).values()}
    kinds.discard(None)
    return kinds.pop() if len(kinds) == 1 else None


def clean_office(package: Package) -> bytes:
    types = _content_types(package)
    relationships = {
        name.casefold(): _relationships(package, name)
        for name in package.names
        if name.lower().endswith(".rels")
    }
    dropped = {name.casefold() for name in package.names if _DROPPED.match(name)}
    dropped |= {part for part, kind in types.items() if kind.casefold().endswith(_DROPPED_TYPES)}
    dropped |= {
        relationship.target
        for listed in relationships.values()
        for relationship in listed
        if relationship.target and relationship.kind.endswith(_DROPPED_RELATIONSHIPS)
    }
    dropped |= {_rels_of(name) for name in dropped}
    parts = []
    for entry in package.entries:
        name = entry.filename
        if name.casefold() in dropped or entry.is_dir():
            continue
        data = package.read(entry)
        parts.append((name, _clean_part(name, data, types, dropped, relationships)))
    return write_package(parts)


def _clean_part(
    name: str,
    data: bytes,
    types: dict[str, str],
    dropped: set[str],
    relationships: dict[str, list[_Relationship]],
) -> bytes:
    key = name.casefold()
    if types.get(key) in _REPLACED:
        return _REPLACED[types[key]]
    if name == CONTENT_TYPES:
        return rewrite_xml(data, _without_overrides(dropped))
    if key.endswith(".rels"):
        return rewrite_xml(data, _without_relationships(_dead(relationships[key], dropped)))
    if key.endswith(".xml"):
        dead = _dead(relationships.get(_rels_of(key), []), dropped)
        return rewrite_xml(data, _part_edit(dead), _REPLACED_TEXT)
    return strip_image(data)


def _dead(listed: list[_Relationship], dropped: set[str]) -> set[str]:
    """Ids of the relationships left out: to a part left out, of a type left out, or to a file on
    the author's computer."""
    return {
        relationship.id
        for relationship in listed
        if relationship.local
        or relationship.kind.endswith(_DROPPED_RELATIONSHIPS)
        or relationship.target in dropped
    }


def _content_types(package: Package) -> dict[str, str]:
    """Casefolded part name -> content type, from the overrides in ``[Content_Types].xml``."""
    entry = package.find(CONTENT_TYPES)
    if entry is None:
        return {}
    overrides = elements(package.read(entry), (_TYPES_NS, "Override"))
    return {
        _part_name(attrs.get((None, "PartName"), "")).casefold(): attrs.get(
            (None, "ContentType"), ""
        )
        for attrs in overrides
    }


def _relationships(package: Package, rels: str) -> list[_Relationship]:
    entry = package.find(rels)
    if entry is None:
        return []
    base = posixpath.dirname(_source_of(rels))
    found = []
    for attrs in elements(package.read(entry), (_RELS_NS, "Relationship")):
        target = attrs.get((None, "Target"), "")
        external = attrs.get((None, "TargetMode")) == "External"
        found.append(
            _Relationship(
                id=attrs.get((None, "Id"), ""),
                kind=attrs.get((None, "Type"), "").casefold(),
                target=None if external else _resolve(base, target).casefold(),
                local=external and _local_path(target),
            )
        )
    return found


def _part_edit(dead: set[str]) -> Edit:
    def edit(element: Name, attrs: Attrs) -> Attrs | None:
        if element[0] and element[0].startswith(_STRICT):
            raise Unclean("Strict Open XML, whose names the rules do not know")
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
    def edit(element: Name, attrs: Attrs) -> Attrs | None:
        part = attrs.get((None, "PartName"), "")
        if element == (_TYPES_NS, "Override") and _part_name(part).casefold() in dropped:
            return None
        return attrs

    return edit


def _without_relationships(dead: set[str]) -> Edit:
    def edit(element: Name, attrs: Attrs) -> Attrs | None:
        if element == (_RELS_NS, "Relationship") and attrs.get((None, "Id")) in dead:
            return None
        return attrs

    return edit


def _local_path(target: str) -> bool:
    """A file rather than a web or mail address: ``file:``, a drive, a share or a relative path."""
    lowered = target.strip().lower()
    scheme = re.match(r"^([a-z][a-z0-9+.-]+):", lowered)  # two letters at least: not a drive
    return scheme is None or scheme.group(1) == "file"


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
