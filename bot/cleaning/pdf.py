"""PDFs without their author, software, dates, attachments, comment authors and earlier revisions.

The file is opened with pikepdf (qpdf) and saved as a new file: only objects reachable from the
new trailer are written, so earlier revisions appended as incremental updates (with the author
they had then) are gone, and the document id is a fixed one. Before that, the document
information and every XMP stream go, and so do attached files (the document's and the
annotations'), scripts and actions run on opening, page-piece and XFA data, digital signatures
(the signer's name and certificate), and the authors and dates of annotations. Streams are
copied as they are, never decoded, so a compressed bomb in a page is not unpacked here; only JPEG
pictures lose their EXIF, segment by segment.
"""

from __future__ import annotations

from io import BytesIO
from typing import cast

import pikepdf
from pikepdf import Array, Dictionary, Name, Object, Stream

from bot.cleaning.archive import DocumentRefused
from bot.cleaning.image_segments import strip_image

MAX_OBJECTS = 300_000
MAX_PAGES = 5_000
_HEADER_WINDOW = 1024  # readers accept the header this far into the file

# Keys left out of every dictionary: metadata, page-piece data, actions and associated files.
_DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/LastModified", "/AA", "/AF")
# /Perms and /DSS hold signatures and their certificates; /Threads' info names their authors.
_DROPPED_ROOT_KEYS = ("/OpenAction", "/Collection", "/SpiderInfo", "/Perms", "/DSS", "/Threads")
_DROPPED_NAMES = ("/EmbeddedFiles", "/JavaScript")
# Annotation keys that name or date their author.
_ANNOTATION_KEYS = ("/T", "/M", "/CreationDate", "/RC")
_ATTACHMENTS = frozenset({"/FileAttachment", "/Sound", "/Movie", "/RichMedia", "/Screen"})


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:_HEADER_WINDOW]


def clean_pdf(data: bytes) -> bytes:
    with pikepdf.open(BytesIO(data)) as pdf:
        if int(pdf.trailer.get("/Size", 0)) > MAX_OBJECTS or len(pdf.pages) > MAX_PAGES:
            raise DocumentRefused("more objects or pages than a document has")
        objects = list(pdf.objects)
        if len(objects) > MAX_OBJECTS:
            raise DocumentRefused("more objects than a document has")
        _clean_catalog(pdf)
        for page in pdf.pages:
            _clean_annotations(page.obj)
        for obj in objects:
            if isinstance(obj, Dictionary | Stream):
                _clean_dictionary(obj)
            if isinstance(obj, Stream) and obj.get("/Filter") == Name.DCTDecode:
                _clean_jpeg(obj)
        out = BytesIO()
        pdf.save(
            out,
            static_id=True,
            fix_metadata_version=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
    return out.getvalue()


def _clean_catalog(pdf: pikepdf.Pdf) -> None:
    _drop(pdf.trailer, ("/Info", "/ID"))  # qpdf keeps the first half of an existing id
    root = pdf.Root
    _drop(root, _DROPPED_ROOT_KEYS)
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        _drop(names, _DROPPED_NAMES)
    form = root.get("/AcroForm")
    if isinstance(form, Dictionary):
        _drop(form, ("/XFA",))


def _clean_annotations(page: Dictionary) -> None:
    annotations = page.get("/Annots")
    if not isinstance(annotations, Array):
        return
    kept = Array()
    for annotation in annotations:
        if not isinstance(annotation, Dictionary):
            continue
        if str(annotation.get("/Subtype", "")) in _ATTACHMENTS:
            continue
        if annotation.get("/Subtype") != Name.Widget:  # a form field's /T is its name
            _drop(annotation, _ANNOTATION_KEYS)
        _clean_dictionary(annotation)
        action = annotation.get("/A")
        if isinstance(action, Dictionary) and action.get("/S") == Name.JavaScript:
            del annotation.A
        kept.append(annotation)
    page.Annots = kept


def _clean_dictionary(dictionary: Dictionary | Stream) -> None:
    _drop(dictionary, _DROPPED_KEYS)
    if dictionary.get("/FT") == Name.Sig:
        # The signature's value: the signer's name, place, time and certificate. Its appearance
        # (a drawn or scanned signature) stays on the page, unsigned.
        _drop(dictionary, ("/V",))


def _clean_jpeg(stream: Stream) -> None:
    raw = stream.read_raw_bytes()
    stripped = strip_image(raw)
    if stripped != raw:
        # pikepdf checks the type when it writes: anything but a dictionary or an array raises
        parms = cast("Dictionary | Array | None", stream.get("/DecodeParms"))
        stream.write(stripped, filter=Name.DCTDecode, decode_parms=parms)


def _drop(dictionary: Object, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in dictionary:
            del dictionary[key]
