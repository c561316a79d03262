"""Documents sent as evidence (PDF, Word, Excel, PowerPoint, OpenDocument) lose their author,
company, device, comment authors, tracked-change history and earlier revisions; hostile archives
and PDFs are refused within a memory budget."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import posixpath
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from xml.etree.ElementTree import canonicalize

import pikepdf
import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo

from bot.cleaning.archive import rewrite_xml
from bot.cleaning.documents import DocumentRefused, clean_document, document_extension
from bot.cleaning.image_segments import strip_image

AUTHOR = "Секретова Айгерим"
INITIALS = "СкАй"
COMPANY = "ТОО Коррупция"
DEVICE = "Galaxy-A52 WordMobile 16.0300"
USER_FOLDER = "aigerim.sekretova"
DATE = "2026-03-14T09:26"
RSID = "00C0FFEE"
CAMERA = "Phone-Camera SM-A525F"
PRINTER = "HP LaserJet Kabinet-7"
SECRET_ID = "5EC12E7D"
MARKERS = (AUTHOR, INITIALS, COMPANY, DEVICE, USER_FOLDER, DATE, RSID, CAMERA, PRINTER, SECRET_ID)
VISIBLE = "Акт проверки № 17: откат 500 000 тенге"
INSERTED = "вставлено позже"
ZERO_TIME = (1980, 1, 1, 0, 0, 0)
MEMORY_BUDGET_KB = 128 * 1024
PDF_MEMORY_BUDGET_KB = 256 * 1024
BOMB_SIZE = 1 << 30


# ---------------------------------------------------------------- fixtures with metadata


def jpeg_with_exif() -> bytes:
    tags = Image.Exif()
    tags[ExifTags.Base.Make] = CAMERA
    tags[ExifTags.Base.Artist] = CAMERA
    buffer = BytesIO()
    Image.new("RGB", (16, 8), "red").save(buffer, "JPEG", exif=tags, comment=CAMERA.encode())
    return buffer.getvalue()


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", CAMERA)
    buffer = BytesIO()
    Image.new("RGB", (16, 8), "blue").save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def package(parts: dict[str, str | bytes]) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, content in parts.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            out.writestr(zipfile.ZipInfo(name, ZERO_TIME), content, compress_type=method)
    return buffer.getvalue()


NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CT = "application/vnd.openxmlformats-officedocument."
W = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    f'xmlns:r="{NS_R}" xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:w16du="http://schemas.microsoft.com/office/word/2023/wordml/word16du" '
    'mc:Ignorable="w14 w15 w16du"'
)


def content_types(overrides: dict[str, str]) -> str:
    lines = "".join(f'<Override PartName="/{k}" ContentType="{v}"/>' for k, v in overrides.items())
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="jpeg" ContentType="image/jpeg"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.printerSettings"/>{lines}</Types>'
    )


def rels(targets: dict[str, tuple[str, str]]) -> str:
    """``{"rId1": ("officeDocument", "word/document.xml")}``; an absolute URL is external."""
    lines = ""
    for rid, (kind, target) in targets.items():
        external = ' TargetMode="External"' if ":" in target else ""
        kind = kind if kind.startswith("http") else REL + kind
        lines += f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{external}/>'
    return f'<Relationships xmlns="{NS_PKG}">{lines}</Relationships>'


def doc_props(main: str, core_name: str = "docProps/core.xml") -> dict[str, str | bytes]:
    """The package-level parts every OOXML fixture shares: its properties and thumbnail."""
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{DATE}:00Z</dcterms:created>'
        f"<cp:revision>42</cp:revision><dc:title>{COMPANY}</dc:title></cp:coreProperties>"
    )
    app = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'extended-properties"><Application>{DEVICE}</Application><AppVersion>16.0300'
        f"</AppVersion><Company>{COMPANY}</Company><Manager>{AUTHOR}</Manager>"
        f"<Template>C:\\Users\\{USER_FOLDER}\\Normal.dotm</Template></Properties>"
    )
    custom = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        f'name="Department"><vt:lpwstr>{COMPANY}</vt:lpwstr></property></Properties>'
    )
    package_rel = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
    return {
        "_rels/.rels": rels(
            {
                "rId1": ("officeDocument", main),
                "rId2": (package_rel + "core-properties", core_name),
                "rId3": ("extended-properties", "docProps/app.xml"),
                "rId4": ("custom-properties", "docProps/custom.xml"),
                "rId5": (package_rel + "thumbnail", "docProps/thumbnail.jpeg"),
            }
        ),
        core_name: core,
        "docProps/app.xml": app,
        "docProps/custom.xml": custom,
        "docProps/thumbnail.jpeg": jpeg_with_exif() + AUTHOR.encode(),
    }


def common_types(core_name: str = "docProps/core.xml") -> dict[str, str]:
    return {
        core_name: "application/vnd.openxmlformats-package.core-properties+xml",
        "docProps/app.xml": CT + "extended-properties+xml",
        "docProps/custom.xml": CT + "custom-properties+xml",
    }


def docx() -> bytes:
    document = (
        f"<w:document {W}><w:body>"
        f'<w:p w:rsidR="{RSID}" w:rsidRDefault="{RSID}" w14:paraId="1A2B3C4D">'
        f'<w:r w:rsidRPr="{RSID}"><w:t>{VISIBLE}</w:t></w:r>'
        f'<w:ins w:id="1" w:author="{AUTHOR}" w:date="{DATE}:00Z" w16du:dateUtc="{DATE}:00Z">'
        f"<w:r><w:t>{INSERTED}</w:t>"
        f'</w:r></w:ins><w:del w:id="2" w:author="{AUTHOR}" w:date="{DATE}:00Z"><w:r>'
        "<w:delText>удалено</w:delText></w:r></w:del>"
        '<w:commentRangeStart w:id="0"/><w:r><w:rPr><w:b/><w:rPrChange w:id="3" '
        f'w:author="{AUTHOR}" w:date="{DATE}:00Z"><w:rPr/></w:rPrChange></w:rPr>'
        '<w:t>важно</w:t></w:r><w:commentRangeEnd w:id="0"/>'
        '<w:r><w:commentReference w:id="0"/></w:r>'
        '<w:r><w:drawing><pic:blipFill xmlns:pic="http://schemas.openxmlformats.org/'
        'drawingml/2006/picture"><a:blip xmlns:a="http://schemas.openxmlformats.org/'
        'drawingml/2006/main" r:embed="rId5"/></pic:blipFill></w:drawing></w:r>'
        '<w:hyperlink r:id="rId8"><w:r><w:t>черновик</w:t></w:r></w:hyperlink>'
        '<w:hyperlink r:id="rId9"><w:r><w:t>egov</w:t></w:r></w:hyperlink>'
        f'</w:p><w:sectPr w:rsidR="{RSID}"/></w:body></w:document>'
    )
    comments = (
        f'<w:comments {W}><w:comment w:id="0" w:author="{AUTHOR}" w:date="{DATE}:00Z" '
        f'w:initials="{INITIALS}"><w:p w:rsidR="{RSID}"><w:r><w:t>проверить</w:t></w:r>'
        "</w:p></w:comment></w:comments>"
    )
    settings_xml = (
        f'<w:settings {W}><w:attachedTemplate r:id="rId1"/><w:docVars><w:docVar '
        f'w:name="Owner" w:val="{AUTHOR}"/></w:docVars><w:rsids><w:rsidRoot w:val="{RSID}"/>'
        f'<w:rsid w:val="{RSID}"/></w:rsids><w15:docId w15:val="{{{SECRET_ID}-0000}}"/>'
        "</w:settings>"
    )
    people = (
        f'<w15:people {W}><w15:person w15:author="{AUTHOR}"><w15:presenceInfo '
        f'w15:providerId="AD" w15:userId="S::{USER_FOLDER}@example.kz"/></w15:person>'
        "</w15:people>"
    )
    word = CT + "wordprocessingml."
    return package(
        {
            "[Content_Types].xml": content_types(
                {
                    "word/document.xml": word + "document.main+xml",
                    "word/comments.xml": word + "comments+xml",
                    "word/settings.xml": word + "settings+xml",
                    "word/people.xml": word + "people+xml",
                    "word/commentsExtended.xml": word + "commentsExtended+xml",
                    "customXml/itemProps1.xml": CT + "customXmlProperties+xml",
                    **common_types(),
                }
            ),
            **doc_props("word/document.xml"),
            "word/_rels/document.xml.rels": rels(
                {
                    "rId1": ("comments", "comments.xml"),
                    "rId2": ("settings", "settings.xml"),
                    "rId3": ("people", "people.xml"),
                    "rId4": ("commentsExtended", "commentsExtended.xml"),
                    "rId5": ("image", "media/image1.jpeg"),
                    "rId6": ("customXml", "../customXml/item1.xml"),
                    "rId7": ("printerSettings", "printerSettings/printerSettings1.bin"),
                    "rId8": ("hyperlink", f"file:///C:/Users/{USER_FOLDER}/Documents/draft.docx"),
                    "rId9": ("hyperlink", "https://egov.kz/"),
                }
            ),
            "word/_rels/settings.xml.rels": rels(
                {
                    "rId1": (
                        "attachedTemplate",
                        f"file:///C:\\Users\\{USER_FOLDER}\\AppData\\Templates\\Normal.dotm",
                    )
                }
            ),
            "word/document.xml": document,
            "word/comments.xml": comments,
            "word/settings.xml": settings_xml,
            "word/people.xml": people,
            "word/commentsExtended.xml": (
                f'<w15:commentsEx {W}><w15:commentEx w15:paraId="{SECRET_ID}"/></w15:commentsEx>'
            ),
            "word/media/image1.jpeg": jpeg_with_exif(),
            "word/printerSettings/printerSettings1.bin": PRINTER.encode("utf-16-le"),
            "customXml/item1.xml": f"<root><owner>{COMPANY}</owner></root>",
            "customXml/itemProps1.xml": f'<ds:datastoreItem xmlns:ds="x" ds:itemID="{SECRET_ID}"/>',
            "customXml/_rels/item1.xml.rels": rels({"rId1": ("customXmlProps", "itemProps1.xml")}),
        }
    )


def xlsx() -> bytes:
    s = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    workbook = (
        f'<workbook {s} xmlns:r="{NS_R}" '
        'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac" '
        'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision">'
        f'<fileVersion appName="xl" lastEdited="7" rupBuild="{RSID}"/>'
        f'<fileSharing userName="{AUTHOR}" readOnlyRecommended="1"/>'
        f'<x15ac:absPath url="C:\\Users\\{USER_FOLDER}\\Desktop\\"/>'
        f'<xr:revisionPtr documentId="8_{{{SECRET_ID}}}"/>'
        '<sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    sheet = (
        f'<worksheet {s} xmlns:r="{NS_R}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        f'<is><t>{VISIBLE}</t></is></c></row></sheetData><legacyDrawing r:id="rId2"/>'
        "</worksheet>"
    )
    comments = (
        f"<comments {s}><authors><author>{AUTHOR}</author></authors><commentList>"
        '<comment ref="A1" authorId="0"><text><t>проверить</t></text></comment>'
        "</commentList></comments>"
    )
    persons = (
        '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
        f'<person displayName="{AUTHOR}" id="{{{SECRET_ID}}}" userId="{USER_FOLDER}" '
        'providerId="AD"/></personList>'
    )
    sml = CT + "spreadsheetml."
    return package(
        {
            "[Content_Types].xml": content_types(
                {
                    "xl/workbook.xml": sml + "sheet.main+xml",
                    "xl/worksheets/sheet1.xml": sml + "worksheet+xml",
                    "xl/comments1.xml": sml + "comments+xml",
                    "xl/persons/person.xml": "application/vnd.ms-excel.person+xml",
                    **common_types(),
                }
            ),
            **doc_props("xl/workbook.xml"),
            "xl/_rels/workbook.xml.rels": rels(
                {
                    "rId1": ("worksheet", "worksheets/sheet1.xml"),
                    "rId2": ("person", "persons/person.xml"),
                }
            ),
            "xl/workbook.xml": workbook,
            "xl/worksheets/sheet1.xml": sheet,
            "xl/worksheets/_rels/sheet1.xml.rels": rels(
                {
                    "rId1": ("comments", "../comments1.xml"),
                    "rId2": ("printerSettings", "../printerSettings/printerSettings1.bin"),
                }
            ),
            "xl/comments1.xml": comments,
            "xl/persons/person.xml": persons,
            "xl/printerSettings/printerSettings1.bin": PRINTER.encode("utf-16-le"),
        }
    )


# System.IO.Packaging in .NET writes the core properties under a name of its own.
DOTNET_CORE = "package/services/metadata/core-properties/0a1b2c3d.psmdcp"


def pptx() -> bytes:
    p = (
        'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{NS_R}" xmlns:p14="http://schemas.microsoft.com/office/powerpoint/2010/main"'
    )
    slide = (
        f"<p:sld {p}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{VISIBLE}</a:t></a:r>"
        '</a:p></p:txBody></p:sp></p:spTree></p:cSld><p:extLst><p:ext uri="{BB962C8B}">'
        f'<p14:creationId val="{int(SECRET_ID, 16)}"/></p:ext></p:extLst></p:sld>'
    )
    authors = (
        f'<p:cmAuthorLst {p}><p:cmAuthor id="0" name="{AUTHOR}" initials="{INITIALS}" '
        'lastIdx="1" clrIdx="0"/></p:cmAuthorLst>'
    )
    modern = (
        '<p188:authorLst xmlns:p188="http://schemas.microsoft.com/office/powerpoint/2018/8/main">'
        f'<p188:author id="{{00000001-0000}}" name="{AUTHOR}" initials="{INITIALS}" '
        f'userId="{USER_FOLDER}" providerId="AD"/></p188:authorLst>'
    )
    comment = (
        f'<p:cmLst {p}><p:cm authorId="0" dt="{DATE}:00.000" idx="1"><p:pos x="10" y="10"/>'
        "<p:text>проверить</p:text></p:cm></p:cmLst>"
    )
    pml = CT + "presentationml."
    return package(
        {
            "[Content_Types].xml": content_types(
                {
                    "ppt/presentation.xml": pml + "presentation.main+xml",
                    "ppt/slides/slide1.xml": pml + "slide+xml",
                    "ppt/commentAuthors.xml": pml + "commentAuthors+xml",
                    "ppt/authors.xml": "application/vnd.ms-powerpoint.authors+xml",
                    "ppt/comments/comment1.xml": pml + "comments+xml",
                    "ppt/revisionInfo.xml": "application/vnd.ms-powerpoint.revisioninfo+xml",
                    "ppt/changesInfos/changesInfo1.xml": (
                        "application/vnd.ms-powerpoint.changesinfo+xml"
                    ),
                    **common_types(DOTNET_CORE),
                }
            ),
            **doc_props("ppt/presentation.xml", DOTNET_CORE),
            "ppt/_rels/presentation.xml.rels": rels(
                {
                    "rId1": ("slide", "slides/slide1.xml"),
                    "rId2": ("commentAuthors", "commentAuthors.xml"),
                    "rId3": ("authors", "authors.xml"),
                    "rId4": ("revisionInfo", "revisionInfo.xml"),
                    "rId5": (
                        "http://schemas.microsoft.com/office/2016/11/relationships/changesInfo",
                        "changesInfos/changesInfo1.xml",
                    ),
                }
            ),
            "ppt/presentation.xml": (
                f'<p:presentation {p}><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst>'
                "</p:presentation>"
            ),
            "ppt/slides/slide1.xml": slide,
            "ppt/slides/_rels/slide1.xml.rels": rels(
                {"rId1": ("comments", "../comments/comment1.xml")}
            ),
            "ppt/commentAuthors.xml": authors,
            "ppt/authors.xml": modern,
            "ppt/comments/comment1.xml": comment,
            "ppt/changesInfos/changesInfo1.xml": (
                '<pc:chgInfo xmlns:pc="http://schemas.microsoft.com/office/powerpoint/2013/main/'
                f'command"><pc:docChgLst><pc:chgData name="{AUTHOR}" userId="{USER_FOLDER}"/>'
                "</pc:docChgLst></pc:chgInfo>"
            ),
            "ppt/revisionInfo.xml": (
                '<p1510:revInfo xmlns:p1510="http://schemas.microsoft.com/office/powerpoint/'
                f'2015/10/main"><p1510:client id="{{{SECRET_ID}}}" v="{RSID}"/></p1510:revInfo>'
            ),
        }
    )


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:officeooo="http://openoffice.org/2009/office" office:version="1.3"'
)
ODF_BODIES = {
    "text": "office:text",
    "spreadsheet": "office:spreadsheet",
    "presentation": "office:presentation",
}


def odf(kind: str = "text") -> bytes:
    annotation = (
        f"<office:annotation><dc:creator>{AUTHOR}</dc:creator><dc:date>{DATE}:00</dc:date>"
        f"<meta:creator-initials>{INITIALS}</meta:creator-initials>"
        "<text:p>проверить</text:p></office:annotation>"
    )
    changes = (
        '<text:tracked-changes><text:changed-region xml:id="ct1" text:id="ct1"><text:insertion>'
        f"<office:change-info><dc:creator>{AUTHOR}</dc:creator><dc:date>{DATE}:00</dc:date>"
        "</office:change-info></text:insertion></text:changed-region></text:tracked-changes>"
    )
    body = ODF_BODIES[kind]
    content = (
        f"<office:document-content {ODF_NS}><office:body><{body}>{changes}"
        f'<text:p officeooo:rsid="{RSID}" officeooo:paragraph-rsid="{RSID}">{VISIBLE}'
        f'{annotation}<text:change-start text:change-id="ct1"/>{INSERTED}'
        f'<text:change-end text:change-id="ct1"/></text:p></{body}></office:body>'
        "</office:document-content>"
    )
    meta = (
        f"<office:document-meta {ODF_NS}><office:meta><meta:generator>{DEVICE}</meta:generator>"
        f"<meta:initial-creator>{AUTHOR}</meta:initial-creator><dc:creator>{AUTHOR}</dc:creator>"
        f"<dc:date>{DATE}:00</dc:date><meta:editing-cycles>42</meta:editing-cycles>"
        f'<meta:user-defined meta:name="Company">{COMPANY}</meta:user-defined>'
        "</office:meta></office:document-meta>"
    )
    settings_xml = (
        '<office:document-settings xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"><office:settings>'
        '<config:config-item-set config:name="ooo:configuration-settings">'
        f'<config:config-item config:name="PrinterName" config:type="string">{PRINTER}'
        '</config:config-item><config:config-item config:name="PrinterSetup" '
        f'config:type="base64Binary">{PRINTER.encode().hex()}</config:config-item>'
        '<config:config-item config:name="RsidRoot" config:type="int">'
        f"{int(RSID, 16)}</config:config-item>"
        '<config:config-item config:name="EmbedFonts" config:type="boolean">false'
        "</config:config-item></config:config-item-set></office:settings>"
        "</office:document-settings>"
    )
    mimetype = f"application/vnd.oasis.opendocument.{kind}"
    files = {
        "/": mimetype,
        "content.xml": "text/xml",
        "styles.xml": "text/xml",
        "meta.xml": "text/xml",
        "settings.xml": "text/xml",
        "Thumbnails/thumbnail.png": "image/png",
        "Pictures/photo.png": "image/png",
        "Configurations2/": "application/vnd.sun.xml.ui.configuration",
        "Object 2": "application/vnd.sun.star.oleobject",
    }
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        + "".join(
            f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="{media}"/>'
            for path, media in files.items()
        )
        + "</manifest:manifest>"
    )
    return package(
        {
            "mimetype": mimetype,
            "META-INF/manifest.xml": manifest,
            "content.xml": content,
            "styles.xml": f"<office:document-styles {ODF_NS}/>",
            "meta.xml": meta,
            "settings.xml": settings_xml,
            "Thumbnails/thumbnail.png": png_with_text() + AUTHOR.encode(),
            "Pictures/photo.png": png_with_text(),
            "Configurations2/accelerator/current.xml": f"<x>{USER_FOLDER}</x>",
            "Object 2": b"\xd0\xcf\x11\xe0" + AUTHOR.encode("utf-16-le"),  # an OLE object
        }
    )


def pdf() -> bytes:
    """A one-page PDF with every kind of metadata, then an incremental update that changed its
    author: the first revision, with the old author, is still in the file."""
    document = pikepdf.new()
    font = document.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont="/Helvetica"
        )
    )
    page = document.add_blank_page()
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = document.make_stream(b"BT /F1 12 Tf 72 720 Td (Akt proverki No 17) Tj ET")
    jpeg = jpeg_with_exif()
    page.Resources.XObject = pikepdf.Dictionary(
        Im1=pikepdf.Stream(
            document, jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=16,
            Height=8, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
    )  # fmt: skip
    page.obj.PieceInfo = pikepdf.Dictionary(Word=pikepdf.Dictionary(Private=pikepdf.String(DEVICE)))
    page.obj.LastModified = pikepdf.String(f"D:{DATE.replace('-', '').replace(':', '')}")
    page.obj.Metadata = document.make_stream(
        zlib.compress(AUTHOR.encode()), Filter=pikepdf.Name.FlateDecode
    )
    attached = pikepdf.AttachedFileSpec(
        document, f"Черновик: {AUTHOR}".encode(), filename="draft.txt"
    )
    document.attachments["draft.txt"] = attached
    note = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[10, 10, 30, 30],
        T=pikepdf.String(AUTHOR), M=pikepdf.String(f"D:{DATE}"), Contents="проверить",
        CreationDate=pikepdf.String(f"D:{DATE}"),
    )  # fmt: skip
    clip = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment, Rect=[40, 10, 60, 30],
        FS=pikepdf.AttachedFileSpec(document, COMPANY.encode(), filename="c.txt").obj,
    )  # fmt: skip
    signature = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Sig, T="Signature1",
        Rect=[70, 10, 90, 30], P=page.obj,
        V=pikepdf.Dictionary(
            Type=pikepdf.Name.Sig, Name=pikepdf.String(AUTHOR), M=pikepdf.String(f"D:{DATE}"),
            Contents=pikepdf.String(f"certificate of {USER_FOLDER}".encode()),
        ),
    )  # fmt: skip
    signature = document.make_indirect(signature)
    page.obj.Annots = document.make_indirect(pikepdf.Array([note, clip, signature]))
    document.Root.AcroForm = pikepdf.Dictionary(Fields=[signature], SigFlags=3)
    document.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=f"app.alert('{RSID}')"
    )
    with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:creator"] = [AUTHOR]
        xmp["xmp:CreatorTool"] = DEVICE
    document.docinfo["/Author"] = AUTHOR
    document.docinfo["/Creator"] = DEVICE
    document.docinfo["/Company"] = COMPANY
    document.trailer.ID = pikepdf.Array([pikepdf.String(SECRET_ID), pikepdf.String(SECRET_ID)])
    first = BytesIO()
    document.save(first, object_stream_mode=pikepdf.ObjectStreamMode.disable, static_id=False)
    return append_revision(first.getvalue())


def append_revision(original: bytes) -> bytes:
    """An incremental update giving the document a new information dictionary."""
    with pikepdf.open(BytesIO(original)) as document:
        size = int(document.trailer.Size)
        root = document.Root.objgen[0]
    previous = int(re.findall(rb"startxref\s+(\d+)", original)[-1])
    body = f"{size} 0 obj\n<< /Author (Someone Else) >>\nendobj\n".encode()
    xref_at = len(original) + len(body)
    xref = f"xref\n0 1\n0000000000 65535 f \n{size} 1\n{len(original):010d} 00000 n \n"
    trailer = (
        f"trailer\n<< /Size {size + 1} /Root {root} 0 R /Info {size} 0 R /Prev {previous} "
        f"/ID [<{SECRET_ID}> <{SECRET_ID}>] >>\nstartxref\n{xref_at}\n%%EOF\n"
    )
    return original + body + xref.encode() + trailer.encode()


OOXML = {"docx": docx, "xlsx": xlsx, "pptx": pptx}
ODF = {
    "odt": lambda: odf("text"),
    "ods": lambda: odf("spreadsheet"),
    "odp": lambda: odf("presentation"),
}
ALL: dict[str, Callable[[], bytes]] = {**OOXML, **ODF, "pdf": pdf}


# ---------------------------------------------------------------- what a marker may hide in


def markers_in(blob: bytes) -> set[str]:
    """The markers in ``blob``, in UTF-8 or UTF-16, as they are or in hex (PDF strings often
    are), ASCII ones in any case."""
    lowered = blob.lower()
    found = set()
    for marker in MARKERS:
        for encoding in ("utf-8", "utf-16-be", "utf-16-le"):
            encoded = marker.encode(encoding)
            if encoded in blob or encoded.hex().encode() in lowered:
                found.add(marker)
        if marker.isascii() and marker.lower().encode() in lowered:
            found.add(marker)
    return found


def assert_no_marker(blob: bytes, where: str) -> None:
    assert not markers_in(blob), f"{markers_in(blob)} left in {where}"


def zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def assert_clean_package(data: bytes) -> dict[str, bytes]:
    assert_no_marker(data, "the file")
    parts = zip_parts(data)
    for name, content in parts.items():
        assert_no_marker(content, name)
        if name.endswith((".xml", ".rels")):
            ElementTree.fromstring(content)  # every XML part still parses
        if content[:2] == b"\xff\xd8" or content[:4] == b"\x89PNG":
            with Image.open(BytesIO(content)) as image:
                image.load()
                assert not image.getexif() and "Author" not in image.info
    return parts


def assert_consistent_ooxml(parts: dict[str, bytes]) -> None:
    """Every content type and relationship names a part that is there, and every part that is
    there has a content type; every relationship id a part uses exists."""
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    overrides = {e.get("PartName").lstrip("/") for e in types if e.tag.endswith("Override")}
    defaults = {e.get("Extension") for e in types if e.tag.endswith("Default")}
    assert overrides <= set(parts)
    for name in parts:
        if name != "[Content_Types].xml":
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
    for name, content in parts.items():
        if not name.endswith(".rels"):
            continue
        folder, base = posixpath.split(name)
        source = posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))
        ids = set()
        for relationship in ElementTree.fromstring(content):
            ids.add(relationship.get("Id"))
            if relationship.get("TargetMode") != "External":
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(source), relationship.get("Target"))
                )
                assert target in parts, f"{name} points at missing {target}"
        if source in parts:
            for rid in re.findall(rb'r:(?:id|embed)="([^"]+)"', parts[source]):
                assert rid.decode() in ids, f"{source} uses missing {rid!r}"


# ---------------------------------------------------------------- the cleaning


# What a fixture of each kind has no place for.
NOT_CARRIED = {
    "xlsx": {INITIALS},
    "pptx": {PRINTER},
    "pdf": {INITIALS, PRINTER},
    **dict.fromkeys(ODF, frozenset({SECRET_ID})),
}


@pytest.mark.parametrize("kind", sorted(ALL))
def test_every_fixture_carries_the_markers_it_is_searched_for(kind: str) -> None:
    data = FIXTURES[kind]
    inside = pdf_streams(data) if kind == "pdf" else list(zip_parts(data).values())
    found = set().union(*(markers_in(blob) for blob in [data, *inside]))
    assert found == set(MARKERS) - NOT_CARRIED.get(kind, frozenset())


@pytest.mark.parametrize("kind", sorted(OOXML))
def test_office_files_lose_authors_company_comments_and_history(kind: str) -> None:
    original = FIXTURES[kind]
    assert document_extension(original) == kind
    cleaned = clean_document(original)
    assert cleaned is not None
    parts = assert_clean_package(cleaned)
    assert_consistent_ooxml(parts)
    assert document_extension(cleaned) == kind
    assert VISIBLE.encode() in b"".join(parts.values())
    gone = (
        "docProps/custom.xml",
        "docProps/thumbnail.jpeg",
        "word/people.xml",
        "customXml/item1.xml",
    )
    assert not set(gone) & set(parts)
    assert not any("printerSettings" in name or "persons" in name for name in parts)
    assert {info.date_time for info in zipfile.ZipFile(BytesIO(cleaned)).infolist()} == {ZERO_TIME}
    if kind == "pptx":
        assert parts[DOTNET_CORE].endswith(b"/>")  # emptied, whatever its name
    if kind == "docx":
        document = parts["word/document.xml"]
        assert INSERTED.encode() in document and b'w:author=""' in document
        assert (
            b"rsid" not in b"".join(parts.values()) and b'mc:Ignorable="w14 w15 w16du"' in document
        )
        assert b'w:author=""' in parts["word/comments.xml"]
        assert b"https://egov.kz/" in parts["word/_rels/document.xml.rels"]  # a web link stays
        assert (
            b"attachedTemplate"
            not in parts["word/settings.xml"] + parts["word/_rels/settings.xml.rels"]
        )
        with Image.open(BytesIO(parts["word/media/image1.jpeg"])) as image:
            assert image.size == (16, 8)


@pytest.mark.parametrize("kind", sorted(ODF))
def test_opendocument_files_lose_meta_annotation_authors_and_printer(kind: str) -> None:
    original = FIXTURES[kind]
    assert document_extension(original) == kind
    cleaned = clean_document(original)
    assert cleaned is not None
    parts = assert_clean_package(cleaned)
    first = zipfile.ZipFile(BytesIO(cleaned)).infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert document_extension(cleaned) == kind
    assert not any(name.startswith(("Thumbnails/", "Configurations2/")) for name in parts)
    manifest = ElementTree.fromstring(parts["META-INF/manifest.xml"])
    listed = {
        entry.get("{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}full-path")
        for entry in manifest
    }
    assert listed - {"/"} == set(parts) - {"mimetype", "META-INF/manifest.xml"}
    content = parts["content.xml"].decode()
    assert VISIBLE in content and INSERTED in content and "<dc:creator/>" in content
    assert b"EmbedFonts" in parts["settings.xml"]
    assert (
        b"<office:meta/>" in parts["meta.xml"]
        or b"<office:meta></office:meta>" in parts["meta.xml"]
    )


def pdf_streams(data: bytes) -> list[bytes]:
    with pikepdf.open(BytesIO(data)) as document:
        return [
            obj.read_bytes()
            if obj.get("/Filter") != pikepdf.Name.DCTDecode
            else obj.read_raw_bytes()
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream)
        ]


def test_pdfs_lose_information_xmp_attachments_annotation_authors_and_old_revisions() -> None:
    original = pdf()
    old_author = AUTHOR.encode("utf-16-be").hex().encode()
    assert old_author in original.split(b"%%EOF")[0]  # the first revision, still in the file
    assert document_extension(original) == "pdf"
    cleaned = clean_document(original)
    assert cleaned is not None
    assert_no_marker(cleaned, "the PDF")
    for stream in pdf_streams(cleaned):
        assert_no_marker(stream, "a stream")
        assert b"/Prev" not in stream
    assert cleaned.count(b"%%EOF") == 1 and b"/Prev" not in cleaned
    with pikepdf.open(BytesIO(cleaned)) as document:
        assert len(document.pages) == 1
        assert b"(Akt proverki No 17) Tj" in document.pages[0].Contents.read_bytes()
        assert "/Info" not in document.trailer and "/Metadata" not in document.Root
        assert not document.attachments and "/OpenAction" not in document.Root
        note, signature = document.pages[0].Annots
        assert note.Contents == "проверить" and "/T" not in note and "/M" not in note
        assert signature.T == "Signature1" and "/V" not in signature  # a field keeps its name
        image = document.pages[0].Resources.XObject.Im1
        with Image.open(BytesIO(image.read_raw_bytes())) as picture:
            assert picture.size == (16, 8) and not picture.getexif()


def test_a_cleaned_document_says_nothing_of_when_it_was_cleaned() -> None:
    """No time, random id or program name is added: cleanings a second apart give the same
    bytes, so a stored file cannot tell when its reporter sent it."""
    first = {kind: clean_document(data) for kind, data in FIXTURES.items()}
    time.sleep(1.1)
    assert {kind: clean_document(data) for kind, data in FIXTURES.items()} == first
    for kind, cleaned in first.items():
        assert cleaned is not None
        inside = pdf_streams(cleaned) if kind == "pdf" else list(zip_parts(cleaned).values())
        for blob in [cleaned, *inside]:
            assert b"ModDate" not in blob and b"pikepdf" not in blob and b"qpdf" not in blob.lower()


@pytest.mark.parametrize("kind", sorted([*OOXML, *ODF]))
def test_xml_comes_back_the_same_when_nothing_is_removed(kind: str) -> None:
    """The rewriting keeps every element, attribute, prefix and character it is not told to
    remove: the canonical forms (which compare prefixes too) are equal."""
    for name, content in zip_parts(FIXTURES[kind]).items():
        if name.endswith((".xml", ".rels")):
            again = rewrite_xml(content, lambda _element, attrs: attrs)
            assert canonicalize(again) == canonicalize(content), name
    tricky = (
        b'<a xmlns="urn:d" xmlns:p="urn:p" xmlns:unused="urn:u"><p:b xml:space="preserve" '
        b'p:c="&quot;" d="&amp;&lt;">  x &amp; y <![CDATA[<z>]]></p:b><c xmlns=""><d/></c></a>'
    )
    assert canonicalize(rewrite_xml(tricky, lambda _element, attrs: attrs)) == canonicalize(tricky)


def test_other_files_are_not_documents() -> None:
    for data in (b"", b"PK\x03\x04", b"hello", png_with_text(), package({"a.txt": "x"})):
        assert document_extension(data) is None
        assert clean_document(data) is None
    parts = zip_parts(FIXTURES["docx"])
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"document.main+xml", b"template.main+xml"
    )
    strict = zip_parts(FIXTURES["docx"])
    strict["word/document.xml"] = strict["word/document.xml"].replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    )
    assert clean_document(package(strict)) is None  # Strict OOXML: other names, not known here
    template = package(parts)  # a .dotx, which this bot does not clean
    assert document_extension(template) is None and clean_document(template) is None
    locked = BytesIO()
    with pikepdf.open(BytesIO(FIXTURES["pdf"])) as document:
        document.save(locked, encryption=pikepdf.Encryption(owner="o", user="needed to open"))
    assert document_extension(locked.getvalue()) == "pdf"
    assert clean_document(locked.getvalue()) is None  # cannot be read, so cannot be cleaned


def photo(**options: object) -> bytes:
    """A JPEG with EXIF, XMP and a comment, and a second picture after its end (as phones write
    depth maps and previews), which carries its own EXIF."""
    tags = Image.Exif()
    tags[ExifTags.Base.Model] = CAMERA
    buffer = BytesIO()
    image = Image.radial_gradient("L").convert("RGB").resize((64, 48))
    image.save(buffer, "JPEG", exif=tags, comment=CAMERA.encode(), xmp=CAMERA.encode(), **options)
    return buffer.getvalue() + jpeg_with_exif()


@pytest.mark.parametrize("options", [{}, {"progressive": True}], ids=["baseline", "progressive"])
def test_pictures_inside_documents_lose_their_metadata_and_keep_every_pixel(options: dict) -> None:
    original = photo(**options)
    assert original.count(CAMERA.encode()) == 6  # EXIF, XMP, comment; the second picture's two
    stripped = strip_image(original)
    assert_no_marker(stripped, "the picture")
    with Image.open(BytesIO(original)) as before, Image.open(BytesIO(stripped)) as after:
        assert after.tobytes() == before.tobytes() and after.size == (64, 48)
    png = png_with_text()
    clean_png = strip_image(png)
    assert_no_marker(clean_png, "the PNG")
    with Image.open(BytesIO(png)) as before, Image.open(BytesIO(clean_png)) as after:
        assert after.tobytes() == before.tobytes()


def test_a_document_with_a_picture_that_does_not_add_up_is_kept_as_sent() -> None:
    parts = zip_parts(FIXTURES["docx"])
    parts["word/media/image1.jpeg"] = b"\xff\xd8\xff\xe1\xff\xff" + CAMERA.encode()
    assert clean_document(package(parts)) is None


# ---------------------------------------------------------------- hostile files


@functools.cache
def deflated_zeros() -> tuple[bytes, int]:
    """1 GiB of zeros deflated (about 1 MiB) and its CRC. One MiB is compressed and flushed to a
    byte boundary with the window reset, so the same piece may follow itself 1,024 times; the
    gigabyte never exists."""
    chunk = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    crc = 0
    for _ in range(BOMB_SIZE // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return piece * (BOMB_SIZE // len(chunk)) + last, crc


def zip_bomb(first: dict[str, str], name: str, declared: int = BOMB_SIZE) -> bytes:
    """A package of ``first`` whose ``name`` unpacks to 1 GiB of zeros; its headers say
    ``declared`` bytes."""
    deflated, crc = deflated_zeros()
    entries = [(part, 0, content.encode()) for part, content in first.items()]
    entries = [(part, zlib.crc32(data), data, len(data), 0) for part, _m, data in entries]
    entries.append((name, crc, deflated, declared, zipfile.ZIP_DEFLATED))
    out = bytearray()
    directory = bytearray()
    for part, checksum, data, size, method in entries:
        encoded = part.encode()
        fields = (20, 0, method, 0, 0x21, checksum, len(data), size, len(encoded))
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, len(out))
        directory += encoded
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + encoded + data
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), len(out), 0
    )
    return bytes(out + directory + end)


def many_entries(first: dict[str, str], count: int = 100_000) -> bytes:
    """A package with ``count`` central directory records, all naming one tiny entry."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for part, content in first.items():
            out.writestr(zipfile.ZipInfo(part, ZERO_TIME), content)
        out.writestr(zipfile.ZipInfo("x", ZERO_TIME), b"")
    data = buffer.getvalue()
    end = data.rindex(b"PK\x05\x06")
    (directory_size, directory_at) = struct.unpack("<II", data[end + 12 : end + 20])
    directory = data[directory_at : directory_at + directory_size]
    last = directory[directory.rindex(b"PK\x01\x02") :]
    records = directory + last * count
    end_record = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(records), directory_at, 0
    )
    return data[:directory_at] + records + end_record


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">' for i in range(10)
    )
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


def first_parts(kind: str) -> tuple[dict[str, str], str]:
    """The parts that make a package look like ``kind``, and the name of its main part."""
    original = zip_parts(FIXTURES[kind])
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
    key = "[Content_Types].xml" if kind in OOXML else "mimetype"
    return {key: original[key].decode()}, main.get(kind, "content.xml")


def _run_in_child(data: bytes, queue: multiprocessing.Queue) -> None:
    try:
        outcome = "cleaned" if clean_document(data) is not None else "kept"
    except DocumentRefused:
        outcome = "refused"
    queue.put((outcome, peak_memory_kb()))


def peak_memory_kb() -> int:
    """This process's peak resident memory since it started its program. ``ru_maxrss`` would
    also count the copy of the parent (pytest) that the child was forked from before exec."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1))


def clean_in_child(data: bytes) -> tuple[str, int]:
    """The outcome of cleaning ``data`` in a child process, and the child's peak memory in KiB.
    Nothing is written to disk: the leak check greps every file the suite leaves, and a PDF of
    numbered objects holds every number a test user's id could be."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_run_in_child, args=(data, queue))
    child.start()
    outcome = queue.get(timeout=120)
    child.join(timeout=30)
    assert child.exitcode == 0
    return outcome


@pytest.mark.parametrize("kind", sorted([*OOXML, *ODF]))
def test_a_zip_bomb_is_refused_within_a_memory_budget(kind: str) -> None:
    first, main = first_parts(kind)
    bomb = zip_bomb(first, main)
    assert len(bomb) < 2 * 1024 * 1024
    with zipfile.ZipFile(BytesIO(bomb)) as archive:  # what a reader would unpack
        assert archive.getinfo(main).file_size == BOMB_SIZE
    outcome, peak = clean_in_child(bomb)
    assert outcome == "refused" and peak < MEMORY_BUDGET_KB


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_a_zip_bomb_that_lies_about_its_size_is_never_unpacked(kind: str) -> None:
    first, main = first_parts(kind)
    outcome, peak = clean_in_child(zip_bomb(first, main, declared=1000))
    assert outcome != "cleaned" and peak < MEMORY_BUDGET_KB


@pytest.mark.parametrize("kind", sorted([*OOXML, *ODF]))
def test_a_package_of_a_hundred_thousand_entries_is_refused(kind: str) -> None:
    first, _main = first_parts(kind)
    outcome, peak = clean_in_child(many_entries(first))
    assert outcome == "refused" and peak < MEMORY_BUDGET_KB


@pytest.mark.parametrize("kind", sorted(OOXML))
def test_an_xml_part_with_entities_is_refused(kind: str) -> None:
    parts = zip_parts(FIXTURES[kind])
    _first, main = first_parts(kind)
    parts[main] = LAUGHS.encode()
    with pytest.raises(DocumentRefused):
        clean_document(package(parts))


@pytest.mark.parametrize("kind", sorted(ODF))
def test_an_opendocument_part_with_entities_is_refused(kind: str) -> None:
    parts = zip_parts(FIXTURES[kind])
    parts["content.xml"] = LAUGHS.encode()
    with pytest.raises(DocumentRefused):
        clean_document(package(parts))


@pytest.mark.parametrize("size", [400_000, 10], ids=["declared", "hidden"])
def test_a_pdf_of_more_objects_than_a_document_has_is_refused(size: int) -> None:
    count = 400_000
    head = (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >> endobj\n"
    )
    objects = b"".join(b"%d 0 obj null endobj\n" % number for number in range(4, count))
    trailer = b"trailer << /Size %d /Root 1 0 R >>\n%%%%EOF\n" % size
    outcome, peak = clean_in_child(head + objects + trailer)
    assert outcome == "refused" and peak < PDF_MEMORY_BUDGET_KB


# ---------------------------------------------------------------- fuzz


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(ALL)),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(max_size=8)), max_size=6),
    cut=st.floats(0.05, 1),
)
def test_damaged_documents_never_raise_anything_but_refusal(
    kind: str, edits: list[tuple[float, bytes]], cut: float
) -> None:
    data = bytearray(FIXTURES[kind])
    for where, replacement in edits:
        at = int(where * len(data))
        data[at : at + len(replacement)] = replacement
    damaged = bytes(data[: max(1, int(cut * len(data)))])
    try:
        document_extension(damaged)
        clean_document(damaged)
    except DocumentRefused:
        pass


XML_SNIPPETS = ["<", ">", "&", "&amp;", "<x>", "</w:p>", '"', "\x00", "]]>", "<!--", "xmlns:r="]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted([*OOXML, *ODF])),
    which=st.integers(min_value=0),
    at=st.floats(0, 1, exclude_max=True),
    insert=st.one_of(st.sampled_from(XML_SNIPPETS).map(str.encode), st.binary(max_size=6)),
    cut=st.integers(min_value=0, max_value=8),
)
def test_damaged_parts_in_a_sound_package_never_raise_anything_but_refusal(
    kind: str, which: int, at: float, insert: bytes, cut: int
) -> None:
    """Any part (content types, relationships, manifest, XML, pictures) damaged inside a zip that
    is itself sound, so that the cleaner reaches the part."""
    parts = zip_parts(FIXTURES[kind])
    name = sorted(parts)[which % len(parts)]
    where = int(at * len(parts[name]))
    parts[name] = parts[name][:where] + insert + parts[name][where + cut :]
    with contextlib.suppress(DocumentRefused):
        clean_document(package(parts))


FIXTURES = {kind: build() for kind, build in ALL.items()}
