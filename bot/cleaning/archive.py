"""Bounded reading of zip packages and safe rewriting of their XML, for the document cleaners.

A zip is checked before anything is unpacked: the number of entries (counted from the central
directory signatures in the raw bytes, so a lying end record cannot hide them), each entry's
declared size, the total and the compression ratio. Entries are then read with a hard limit
whatever their header says. XML is streamed through ``defusedxml``'s SAX parser (no DTD, no
entities, no external references) into ``XMLGenerator``: prefixes and namespace declarations stay
as they were, comments and processing instructions are left out, and no tree is ever built.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO
from xml.sax import handler as sax_handler
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesNSImpl, InputSource

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

MAX_ENTRIES = 5_000
MAX_ENTRY_BYTES = 48 * 1024 * 1024
MAX_TOTAL_BYTES = 192 * 1024 * 1024
# Document XML compresses ten to thirty times, a sheet of identical rows a few hundred times;
# a run of one byte a thousand times, deflate's limit.
MAX_RATIO = 500
RATIO_FLOOR = 1024 * 1024  # smaller entries may compress as well as they like
_CHUNK = 1024 * 1024
_CENTRAL_HEADER = b"PK\x01\x02"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

Name = tuple[str | None, str]  # (namespace URI, local name), as SAX reports them
Attrs = dict[Name, str]
# An element's new attributes, or None to leave it out with everything inside it.
Edit = Callable[[Name, Attrs], Attrs | None]


class DocumentRefused(Exception):
    """A hostile or over-budget document (a zip bomb, too many entries): refused, never kept."""


class Unclean(Exception):
    """A document this module cannot prove clean (damaged, encrypted, ambiguous): kept as sent."""


@dataclass
class Package:
    """A zip read within the budget; ``read`` counts every byte unpacked against the total."""

    zip: zipfile.ZipFile
    entries: list[zipfile.ZipInfo]
    unpacked: int = field(default=0)
    _by_name: dict[str, zipfile.ZipInfo] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {entry.filename: entry for entry in self.entries}

    @property
    def names(self) -> list[str]:
        return [entry.filename for entry in self.entries]

    def read(self, entry: zipfile.ZipInfo) -> bytes:
        """The entry unpacked, a chunk at a time: one ``read(limit)`` would inflate up to the limit
        at once even when the header promises less."""
        limit = min(MAX_ENTRY_BYTES, MAX_TOTAL_BYTES - self.unpacked)
        chunks = []
        size = 0
        with self.zip.open(entry) as stream:
            while chunk := stream.read(min(_CHUNK, limit + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
                if size > limit:
                    raise DocumentRefused("an entry unpacks to more than the budget")
        self.unpacked += size
        return b"".join(chunks)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self._by_name.get(name)


def open_package(data: bytes) -> Package:
    """The zip's entries once they fit the budget; ``DocumentRefused`` when they do not."""
    if data.count(_CENTRAL_HEADER) > MAX_ENTRIES:
        raise DocumentRefused("too many entries")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise Unclean(type(exc).__name__) from exc
    entries = archive.infolist()
    if len({entry.filename.casefold() for entry in entries}) != len(entries):
        raise Unclean("two entries with one name")
    if sum(entry.file_size for entry in entries) > MAX_TOTAL_BYTES:
        raise DocumentRefused("unpacks to more than the budget")
    for entry in entries:
        if entry.file_size > MAX_ENTRY_BYTES:
            raise DocumentRefused("an entry unpacks to more than the budget")
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * entry.compress_size:
            raise DocumentRefused("an entry is compressed beyond any document")
        if entry.flag_bits & 0x1:
            raise Unclean("encrypted entry")
    return Package(archive, entries)


def write_package(parts: Iterable[tuple[str, bytes]], *, stored: str | None = None) -> bytes:
    """A new zip of ``parts`` in their order, with no times, comments or extra fields."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, content in parts:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, content)
    return buffer.getvalue()


def rewrite_xml(
    data: bytes,
    edit: Edit,
    replace_text: Mapping[Name, str] | None = None,
) -> bytes:
    """``data`` parsed safely and written again with ``edit`` applied to each element; the text
    of the elements in ``replace_text`` is replaced. Raises ``DocumentRefused`` for a DTD or an
    entity (a billion laughs), ``Unclean`` for XML that does not parse."""
    out = BytesIO()
    out.write(XML_DECLARATION)
    rewriter = _Rewriter(out, edit, replace_text or {})
    parse_xml(data, rewriter)
    return out.getvalue()


def parse_xml(data: bytes, content: sax_handler.ContentHandler) -> None:
    """Feed ``data`` to ``content`` through a parser that refuses DTDs and entities."""
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setFeature(sax_handler.feature_namespaces, True)
    parser.setContentHandler(content)
    source = InputSource()
    source.setByteStream(BytesIO(data))
    try:
        parser.parse(source)
    except (DocumentRefused, Unclean):
        raise
    except DefusedXmlException as exc:
        raise DocumentRefused(f"XML with {type(exc).__name__}") from exc
    except Exception as exc:  # expat's and SAX's errors on malformed XML
        raise Unclean(f"XML: {type(exc).__name__}") from exc


class _Rewriter(sax_handler.ContentHandler):
    """Passes SAX events to an ``XMLGenerator`` except inside left-out elements."""

    def __init__(self, out: BytesIO, edit: Edit, replace_text: Mapping[Name, str]) -> None:
        super().__init__()
        self._out = XMLGenerator(out, encoding="utf-8", short_empty_elements=True)
        self._edit = edit
        self._replace_text = replace_text
        self._pending: list[tuple[str | None, str]] = []
        # For each open element: whether it was written, and the prefixes it declared.
        self._open: list[tuple[bool, list[tuple[str | None, str]]]] = []
        self._skipping = 0
        self._replacing = 0
        self._after_skipped = False  # the indentation that followed a left-out element goes too

    def startPrefixMapping(self, prefix: str | None, uri: str | None) -> None:
        self._pending.append((prefix, uri or ""))  # None undeclares the default: xmlns=""

    def endPrefixMapping(self, prefix: str | None) -> None:
        """Ends are forwarded in ``endElementNS``, where we know whether the start was."""

    def startElementNS(self, name: Name, qname: str | None, attrs: AttributesNSImpl) -> None:
        declared, self._pending = self._pending, []
        self._after_skipped = False
        kept = None if self._skipping else self._edit(name, dict(attrs.items()))
        if kept is None:
            self._skipping += 1
            self._open.append((False, declared))
            return
        for prefix, uri in declared:
            self._out.startPrefixMapping(prefix, uri)
        self._out.startElementNS(name, qname, AttributesNSImpl(kept, {}))
        self._open.append((True, declared))
        if name in self._replace_text:
            self._replacing += 1
            self._out.characters(self._replace_text[name])

    def endElementNS(self, name: Name, qname: str | None) -> None:
        written, declared = self._open.pop()
        if not written:
            self._skipping -= 1
            self._after_skipped = not self._skipping
            return
        self._after_skipped = False
        if name in self._replace_text:
            self._replacing -= 1
        self._out.endElementNS(name, qname)
        for prefix, _uri in reversed(declared):
            self._out.endPrefixMapping(prefix)

    def characters(self, content: str) -> None:
        if self._after_skipped and content.isspace():
            return
        self._after_skipped = False
        if not self._skipping and not self._replacing:
            self._out.characters(content)

    def ignorableWhitespace(self, whitespace: str) -> None:
        self.characters(whitespace)


class _Collect(sax_handler.ContentHandler):
    def __init__(self, wanted: Name) -> None:
        super().__init__()
        self._wanted = wanted
        self.found: list[Attrs] = []

    def startElementNS(self, name: Name, qname: str | None, attrs: AttributesNSImpl) -> None:
        if name == self._wanted:
            self.found.append(dict(attrs.items()))


def elements(data: bytes, wanted: Name) -> list[Attrs]:
    """The attributes of every ``wanted`` element of ``data``, parsed safely."""
    collect = _Collect(wanted)
    parse_xml(data, collect)
    return collect.found
