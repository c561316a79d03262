"""Evidence without traces: images cleaned of metadata, other files delivered as sent with a note,
forward origins never stored, and the dialog deleted from the chat on the reporter's request."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

import parselmouth
import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.utils.i18n import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageOps
from PIL.PngImagePlugin import PngInfo

from bot.app import Services
from bot.cases.views import file_note
from bot.cleaning.filetypes import detect
from bot.cleaning.sandbox import CleaningSandbox, FileRefused, Refusal
from bot.cleaning.video import strip_video_metadata
from bot.cleaning.voice_mask import VoiceMask
from bot.core import receipt
from bot.reports import trail
from bot.reports.draft import Draft, ReportForm
from bot.reports.evidence import MAX_FILES, FileKind
from bot.reports.views import evidence_step, metadata_warning, render_step
from bot.telegram.i18n import create_i18n
from bot.ui.callbacks import Action, ActionCB
from bot.ui.context import ViewContext
from bot.ui.formatting import utf16_length
from handlers.clear_chat import _cleared_text
from handlers.uploads import refusal_text
from tests.fakeapi import FakeBotAPI, FakeChat, FakeUser, SentMessage
from tests.support.live import Live
from tests.support.media import (
    LOCATION,
    MAKE,
    MEDIA,
    MODEL,
    XMP,
    XMP_MARKER,
    encoded,
    png_claiming,
    video_with_metadata,
)
from tests.support.mp4 import FILMED, box, nested, phone_video
from tests.support.mp4 import SECRETS as VIDEO_TRACES
from tests.support.people import Person
from tests.support.speech import HIGH, decoded, spoken

BODY = "Начальник отдела акимата требует 200 000 тенге за выдачу разрешения на строительство."
ARTIST = "Artist Secretov"
PNG_AUTHOR = "PNG Author Secretova"
SECRETS = (ARTIST.encode(), MAKE.encode(), MODEL.encode(), XMP_MARKER, PNG_AUTHOR.encode())
METADATA_KEYS = {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp", "Author", "Comment"}
PDF = b"%PDF-1.4\n1 0 obj << /Author (PDF Author Secretov) /Creator (Word) >> endobj\n%%EOF\n"
CLEAR = ActionCB(action=Action.CLEAR_CHAT).pack()
BOT_ID = 42  # tests/support/live.py runs the bot with the token 42:TEST
I18N = create_i18n("kk")


# ---------------------------------------------------------------- images with metadata


def picture(mode: str = "RGB") -> Image.Image:
    """64 x 32, left half red, right half blue: a wrong rotation shows."""
    image = Image.new(mode, (64, 32), "blue")
    image.paste("red", (0, 0, 32, 32))
    return image


def exif(orientation: int = 1) -> Image.Exif:
    tags = Image.Exif()
    tags[ExifTags.Base.Artist] = ARTIST
    tags[ExifTags.Base.Make] = MAKE
    tags[ExifTags.Base.Model] = MODEL
    tags[ExifTags.Base.Orientation] = orientation
    gps = tags.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (43.0, 14.0, 32.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (76.0, 53.0, 10.0)
    return tags


def jpeg_with_metadata() -> bytes:
    """EXIF orientation 6 (turn 90° clockwise to show), GPS, camera, author, XMP, ICC, comment."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encoded(
        picture(),
        "JPEG",
        quality=95,
        exif=exif(orientation=6),
        xmp=XMP,
        icc_profile=icc,
        comment=MODEL.encode(),
    )


def png_with_metadata() -> bytes:
    chunks = PngInfo()
    chunks.add_text("Author", PNG_AUTHOR)
    chunks.add_itxt("Comment", "taken at home")
    chunks.add_itxt("XML:com.adobe.xmp", XMP.decode())
    return encoded(picture("RGBA"), "PNG", pnginfo=chunks, exif=exif())


def webp_with_metadata() -> bytes:
    return encoded(picture(), "WEBP", quality=90, exif=exif(), xmp=XMP)


# file name -> (mime type, the bytes, the format it must keep)
IMAGES = {
    "photo.jpg": ("image/jpeg", jpeg_with_metadata(), "JPEG"),
    "screen.png": ("image/png", png_with_metadata(), "PNG"),
    "image.webp": ("image/webp", webp_with_metadata(), "WEBP"),
}


def assert_clean(original: bytes, cleaned: bytes, fmt: str) -> None:
    """The same picture, upright, in its format; no EXIF, GPS, XMP, text chunk or profile."""
    assert ARTIST.encode() in original and XMP_MARKER in original, "the sample had metadata"
    with Image.open(BytesIO(original)) as source, Image.open(BytesIO(cleaned)) as result:
        upright = ImageOps.exif_transpose(source).convert("RGB")
        assert result.format == fmt
        assert result.size == upright.size
        assert len(result.getexif()) == 0
        assert len(result.getexif().get_ifd(ExifTags.IFD.GPSInfo)) == 0
        assert not METADATA_KEYS & set(result.info)
        assert getattr(result, "text", {}) == {}
        pixels = result.convert("RGB")
        for point in ((4, 4), (upright.width - 5, upright.height - 5)):
            expected, actual = upright.getpixel(point), pixels.getpixel(point)
            assert all(abs(a - e) <= 16 for a, e in zip(actual, expected, strict=True))
    for secret in (*SECRETS, b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"iTXt", b"tEXt"):
        assert secret not in cleaned


async def cleaned(data: bytes) -> bytes:
    """The file as the real cleaning sandbox cleans it; fails if it was kept as sent."""
    result = await CleaningSandbox().clean(data)
    assert result.cleaned
    return result.data


@pytest.mark.parametrize("name", sorted(IMAGES))
async def test_images_lose_their_metadata_and_keep_their_pixels(name: str) -> None:
    _mime, original, fmt = IMAGES[name]
    assert_clean(original, await cleaned(original), fmt)


async def test_the_exif_orientation_is_applied_before_it_is_dropped() -> None:
    with Image.open(BytesIO(await cleaned(jpeg_with_metadata()))) as result:
        assert result.size == (32, 64)
        top, bottom = result.convert("RGB").getpixel((16, 4)), result.getpixel((16, 60))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0], "turned clockwise: red on top"


async def test_what_is_no_image_we_clean_is_kept_as_sent() -> None:
    frames = [picture(), picture().rotate(180)]
    animated = encoded(frames[0], "PNG", save_all=True, append_images=frames[1:])
    sandbox = CleaningSandbox()
    for data in (os.urandom(3000), animated, HEIC):
        result = await sandbox.clean(data)
        assert (result.data, result.cleaned) == (data, False)


async def test_images_that_cannot_be_cleaned_safely_are_refused() -> None:
    sandbox = CleaningSandbox()
    unreadable = (b"\xff\xd8\xff\xe0" + os.urandom(3000), jpeg_with_metadata()[:300])
    for data, reason in (
        *((data, Refusal.UNSAFE) for data in unreadable),
        (png_claiming(20_000, 20_000), Refusal.TOO_LARGE),
        (png_claiming(10_000, 10_000), Refusal.TOO_LARGE),
    ):
        with pytest.raises(FileRefused) as refused:
            await sandbox.clean(data)
        assert refused.value.reason is reason


def test_the_evidence_step_warns_and_fits_one_message_in_both_languages(
    services: Services,
) -> None:
    draft = Draft(files=[str(n) for n in range(MAX_FILES)])
    for locale in ("kk", "ru"):
        with services.i18n.context(), services.i18n.use_locale(locale):
            view = ViewContext(services.catalog, locale, services.settings.tz)
            text, markup = render_step(ReportForm.evidence, draft, view)
            assert "do:filesinfo" in str(markup), "the advice is one tap away"
            text, _markup = evidence_step(draft, view, details=True)
            assert metadata_warning() in text
        assert utf16_length(text) <= 4096


# ---------------------------------------------------------------- through the bot


@contextmanager
def in_locale(live: Live, locale: str) -> Iterator[None]:
    with live.services.i18n.context(), live.services.i18n.use_locale(locale):
        yield


async def abai_officers(live: Live, api: FakeBotAPI) -> FakeChat:
    """A group linked as the department of Abai region."""
    group = api.make_group(title="Abai officers")
    await live.link("abai", group)
    return group


async def officers_note(live: Live, kind: FileKind, *, cleaned: bool) -> str:
    """The note Abai's officers see under a file, in their department's language."""
    department = await live.services.departments.department("abai")
    assert department is not None
    with in_locale(live, department.locale):
        note = file_note(kind, cleaned=cleaned)
    assert note
    return note


def has_button(data: str) -> Any:
    return lambda message: any(b.get("callback_data") == data for b in message.buttons)


async def to_body_step(person: Person) -> None:
    await person.command("/report", button="rg:abai")
    await person.press("rg:abai", button="sp:akimat")
    await person.press("sp:akimat", button="wh:week")
    await person.press("wh:week", button="do:skip")
    await person.press("do:skip", button="do:back")


async def to_evidence_step(person: Person) -> SentMessage:
    await to_body_step(person)
    await person.say(BODY, button="do:done")
    return await person.press("do:done", button="do:skip")


async def send_document(
    api: FakeBotAPI, user: FakeUser, data: bytes, name: str, mime: str, **extra: Any
) -> SentMessage:
    mark = api.mark()
    api.send_document(user, data, file_name=name, mime_type=mime, **extra)
    return await api.next_reply(user, after=mark, where=has_button("do:done"))


async def submit(person: Person, *, had_files: bool = True) -> SentMessage:
    """From the evidence step to the receipt, which carries «Clear this chat»."""
    await person.press("do:done" if had_files else "do:skip", button="do:cyes")
    await person.press("do:cno", button="do:submit")
    return await person.press("do:submit", button=CLEAR)


def data_files(live: Live) -> bytes:
    """Every file under DATA_DIR, concatenated: the database, its WAL and anything else."""
    root = live.services.settings.data_dir
    return b"".join(path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file())


async def stored_attachments(live: Live) -> list[tuple[bytes, dict[str, Any]]]:
    """Every stored file, opened: its bytes and its meta."""
    rows = await live.services.database.fetchall("SELECT id, meta, data FROM attachments")
    cipher = live.services.cipher
    return [
        (
            cipher.open(data, f"attachments:{row_id}:data"),
            json.loads(cipher.open(meta, f"attachments:{row_id}:meta")),
        )
        for row_id, meta, data in rows
    ]


def documents_in(api: FakeBotAPI, chat: object) -> dict[str, SentMessage]:
    return {
        m.raw["document"]["file_name"]: m for m in api.messages_in(chat) if m.kind == "document"
    }


def archive(*entries: tuple[str, bytes]) -> bytes:
    """A ZIP archive, which no cleaner reads: it is kept as sent."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as written:
        for name, content in entries:
            written.writestr(name, content)
    return buffer.getvalue()


ARCHIVE = archive(("notes.txt", b"Author: Archive Author Secretov"))
ARCHIVE_AUTHOR = b"Archive Author Secretov"


async def case_number(live: Live) -> int:
    [(number,)] = await live.services.database.fetchall("SELECT case_no FROM reports")
    return int(number)


async def test_images_reach_the_department_clean_and_other_files_as_sent_with_a_note(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = await abai_officers(live, fake_api)
    person = live.person()
    step = await to_evidence_step(person)
    with in_locale(live, "ru"):
        assert "ℹ️" in (step.plain_text or ""), "warned before sending a file"
        assert any(b.get("callback_data") == "do:filesinfo" for b in step.buttons)
        refusal = refusal_text(Refusal.UNSAFE, live.services.settings.max_voice_minutes, "ru")
    for name, (mime, data, _fmt) in IMAGES.items():
        await send_document(fake_api, person.user, data, name, mime)
    reply = await send_document(fake_api, person.user, ARCHIVE, "notes.zip", "application/zip")
    assert reply.buttons, "a file that is no image does not upset the dialog"
    mark = fake_api.mark()
    fake_api.send_document(person.user, b"\xff\xd8\xff\xe0" + os.urandom(3000), "broken.jpg")
    assert (await fake_api.next_reply(person.user, after=mark)).plain_text == refusal
    await submit(person)
    assert await live.deliver() == 0

    cleaned_note = await officers_note(live, FileKind.DOCUMENT, cleaned=True)
    as_sent_note = await officers_note(live, FileKind.DOCUMENT, cleaned=False)
    delivered = documents_in(fake_api, group)
    number = await case_number(live)
    images = {
        f"case-{number}-{n}.{ext}": IMAGES[name]
        for n, (name, ext) in enumerate(
            (("photo.jpg", "jpg"), ("screen.png", "png"), ("image.webp", "webp")), start=1
        )
    }
    kept = f"case-{number}-4.zip"
    assert sorted(delivered) == sorted([*images, kept]), "the broken picture was not stored"
    for name, (_mime, original, fmt) in images.items():
        uploaded = fake_api.files[delivered[name].file_id].data
        assert_clean(original, uploaded, fmt)
        caption = delivered[name].plain_text or ""
        assert cleaned_note in caption and as_sent_note not in caption
    assert fake_api.files[delivered[kept].file_id].data == ARCHIVE, "delivered byte for byte"
    assert as_sent_note in (delivered[kept].plain_text or "")

    stored = await stored_attachments(live)
    assert sorted(meta["cleaned"] for _data, meta in stored) == [False, True, True, True]
    everything = data_files(live) + b"".join(data for data, _meta in stored if data != ARCHIVE)
    for secret in (*SECRETS, ARCHIVE_AUTHOR):
        assert secret not in everything


# ---------------------------------------------------------------- videos with metadata


VIDEO_SECRETS = (LOCATION, MAKE.encode(), MODEL.encode(), XMP_MARKER, b"com.apple", FILMED)


def top_level_boxes(data: bytes) -> list[tuple[bytes, int]]:
    boxes, position = [], 0
    while position < len(data):
        size = int.from_bytes(data[position : position + 4], "big")
        boxes.append((data[position + 4 : position + 8], size))
        position += size
    return boxes


def test_videos_lose_place_device_and_time_and_keep_their_media_where_it_was() -> None:
    original = video_with_metadata()
    stripped = strip_video_metadata(original)
    assert stripped is not None
    for secret in VIDEO_SECRETS:
        assert secret in original and secret not in stripped, secret
    assert [kind for kind, _size in top_level_boxes(stripped)] == [
        b"ftyp",
        b"free",
        b"moov",
        b"mdat",
    ]
    assert [size for _kind, size in top_level_boxes(stripped)] == [
        size for _kind, size in top_level_boxes(original)
    ], "nothing moved, so the offsets into the media stay right"
    assert stripped.endswith(box(b"mdat", MEDIA))
    for damaged in (original[:-1], original[:200], original.replace(b"moov", b"moox", 1)):
        assert strip_video_metadata(damaged) is None
    with I18N.context(), I18N.use_locale("ru"):
        warning = file_note(FileKind.VIDEO, cleaned=False)
        assert warning is not None, "officers are warned about a video kept as sent"
        assert warning == file_note(FileKind.DOCUMENT, cleaned=False)


async def test_a_video_reaches_the_department_without_its_metadata(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = await abai_officers(live, fake_api)
    person = live.person()
    await to_evidence_step(person)
    mark = fake_api.mark()
    fake_api.send_video(person.user, video_with_metadata())
    await fake_api.next_reply(person.user, after=mark, where=has_button("do:done"))
    await submit(person)
    assert await live.deliver() == 0

    [(data, meta)] = await stored_attachments(live)
    assert meta["cleaned"] is True
    [video] = [m for m in fake_api.messages_in(group) if m.kind == "video"]
    delivered = fake_api.files[video.file_id].data
    assert delivered == data and delivered.endswith(box(b"mdat", MEDIA))
    assert await officers_note(live, FileKind.VIDEO, cleaned=True) in (video.plain_text or "")
    everything = data_files(live) + delivered
    for secret in VIDEO_SECRETS:
        assert secret not in everything, secret


async def test_a_drone_video_arrives_without_gps_and_a_hostile_one_as_sent_with_the_note(
    live: Live, fake_api: FakeBotAPI
) -> None:
    """GPS in side tracks, sample entries and between the frames never reaches the department; a
    file of 1,200 nested boxes is neither lost nor labelled cleaned."""
    group = await abai_officers(live, fake_api)
    person = live.person()
    await to_evidence_step(person)
    drone = phone_video().data
    hostile = box(b"ftyp", b"isom", bytes(4)) + nested((b"moov",), 1200) + box(b"mdat", MEDIA)
    for sent in (drone, hostile):
        mark = fake_api.mark()
        fake_api.send_video(person.user, sent)
        await fake_api.next_reply(person.user, after=mark, where=has_button("do:done"))
    await submit(person)
    assert await live.deliver() == 0

    stored = await stored_attachments(live)
    assert [(len(data), meta["cleaned"]) for data, meta in stored] == [
        (len(drone), True),
        (len(hostile), False),
    ]
    cleaned_video, kept_video = (m for m in fake_api.messages_in(group) if m.kind == "video")
    assert fake_api.files[kept_video.file_id].data == hostile == stored[1][0]
    assert await officers_note(live, FileKind.VIDEO, cleaned=False) in (kept_video.plain_text or "")
    assert await officers_note(live, FileKind.VIDEO, cleaned=True) in (
        cleaned_video.plain_text or ""
    )
    everything = data_files(live) + fake_api.files[cleaned_video.file_id].data
    for secret in VIDEO_TRACES:
        assert secret in drone and secret not in everything, secret


# An ISO base media file of brand heic, with a camera's name where its EXIF item would be.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00\x00\x00\x16Exif" + MAKE.encode()


async def test_heic_files_are_kept_as_sent_and_officers_see_the_note(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = await abai_officers(live, fake_api)
    person = live.person()
    await to_evidence_step(person)
    await send_document(fake_api, person.user, HEIC, "x.heic", "image/heic")
    await submit(person)
    assert await live.deliver() == 0

    [(data, meta)] = await stored_attachments(live)
    assert data == HEIC, "stored byte for byte"
    assert meta == {
        "extension": "heic",
        "mime_type": "image/heic",
        "caption": None,
        "cleaned": False,
        "masked": False,
    }
    as_sent_note = await officers_note(live, FileKind.DOCUMENT, cleaned=False)
    delivered = documents_in(fake_api, group)[f"case-{await case_number(live)}-1.heic"]
    assert fake_api.files[delivered.file_id].data == HEIC
    assert as_sent_note in (delivered.plain_text or "")


# ---------------------------------------------------------------- file names

# What a reporter's phone names a file: the moment of capture, a name, an extension in disguise
# (a right-to-left override shows "Akt_proverki\u202efdp.exe" as "Akt_proverkiexe.pdf").
CAPTURED = "IMG_20260512_143512"
SENT_NAMES = {
    "Scan_Ivanov_Ivan.pdf": encoded(picture(), "PNG"),
    f"{CAPTURED}.jpg": jpeg_with_metadata(),
    "Akt_proverki\u202efdp.exe": ARCHIVE,
}
NAME_TRACES = ("Scan_Ivanov_Ivan", "Ivanov", CAPTURED, "Akt_proverki", "\u202e")


@pytest.mark.parametrize(
    ("data", "extension"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\x00\x00\x00\x18ftypqt  " + bytes(8), "mov"),
        (b"\x00\x00\x00\x18ftyp3gp4" + bytes(8), "3gp"),
        (b"\x00\x00\x00\x18ftypisom" + bytes(8), "mp4"),
        (HEIC, "heic"),
        (b"OggS\x00\x02", "ogg"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"), "xls"),
        ("Акт проверки".encode(), "txt"),
        (b"MZ\x90\x00\x03", "bin"),
    ],
)
def test_the_type_is_read_from_the_content(data: bytes, extension: str) -> None:
    assert detect(data).extension == extension


def requests_made(api: FakeBotAPI) -> str:
    """Everything the bot sent to the Bot API, uploaded files' names included."""
    return repr([request.params for request in api.requests])


async def test_officers_get_files_named_by_the_case_and_their_content(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = await abai_officers(live, fake_api)
    person = live.person()
    await to_evidence_step(person)
    for name, data in SENT_NAMES.items():
        await send_document(fake_api, person.user, data, name, "application/octet-stream")
    await submit(person)
    assert await live.deliver() == 0

    number = await case_number(live)
    delivered = documents_in(fake_api, group)
    assert sorted(delivered) == [
        f"case-{number}-{n}.{ext}" for n, ext in ((1, "png"), (2, "jpg"), (3, "zip"))
    ]
    metas = [meta for _data, meta in await stored_attachments(live)]
    assert sorted(meta["extension"] for meta in metas) == ["jpg", "png", "zip"]
    seen = (requests_made(fake_api), json.dumps(metas, ensure_ascii=False))
    files = data_files(live)
    for trace in NAME_TRACES:
        assert all(trace not in text for text in seen), trace
    for trace in ("Scan_Ivanov_Ivan", CAPTURED, "Akt_proverki"):  # long enough to grep for
        assert trace.encode() not in files


async def with_legacy_meta(live: Live, name: str) -> None:
    """Give the one stored file the meta of a bot that kept names."""
    [(attachment_id,)] = await live.services.database.fetchall("SELECT id FROM attachments")
    legacy = {"file_name": name, "mime_type": "image/jpeg", "caption": None, "cleaned": True}
    sealed = live.services.cipher.seal(
        json.dumps(legacy).encode(), f"attachments:{attachment_id}:meta"
    )
    await live.services.database.execute(
        "UPDATE attachments SET meta = ? WHERE id = ?", (sealed, attachment_id)
    )


async def test_a_name_stored_by_an_older_bot_is_never_sent_and_is_forgotten(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = await abai_officers(live, fake_api)
    person = live.person()
    await to_evidence_step(person)
    await send_document(fake_api, person.user, jpeg_with_metadata(), "x.jpg", "image/jpeg")
    await submit(person)
    await with_legacy_meta(live, f"{CAPTURED}.jpg")
    assert await live.deliver() == 0
    assert sorted(documents_in(fake_api, group)) == [f"case-{await case_number(live)}-1.jpg"]
    assert CAPTURED not in requests_made(fake_api)

    await live.services.maintenance.forget_file_names()
    [(_data, meta)] = await stored_attachments(live)
    assert meta == {"caption": None, "cleaned": True}
    await with_legacy_meta(live, f"{CAPTURED}.jpg")
    await live.services.maintenance.forget_file_names()
    [(_data, meta)] = await stored_attachments(live)
    assert "file_name" in meta, "it runs once per database"


USER_ORIGIN = {
    "type": "user",
    "sender_user": {
        "id": 987654321,
        "is_bot": False,
        "first_name": "Forwardina",
        "last_name": "Originova",
        "username": "fwd_origin_user",
    },
    "date": int(time.time()) - 3600,
}
HIDDEN_ORIGIN = {"type": "hidden_user", "sender_user_name": "Hidden Forwarder", "date": 1}
CHANNEL_ORIGIN = {
    "type": "channel",
    "chat": {
        "id": -1009876543210,
        "type": "channel",
        "title": "Origin Channel Title",
        "username": "origin_channel",
    },
    "message_id": 4242,
    "date": int(time.time()) - 7200,
    "author_signature": "Signer Secretov",
}
ORIGIN_TRACES = (
    "987654321",
    "Forwardina",
    "Originova",
    "fwd_origin_user",
    "Hidden Forwarder",
    "9876543210",
    "Origin Channel Title",
    "origin_channel",
    "Signer Secretov",
)


async def test_forwarded_messages_leave_no_trace_of_their_origin(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = await abai_officers(live, fake_api)
    person = live.person()
    user = person.user
    await to_body_step(person)
    for text, origin in ((BODY, USER_ORIGIN), ("Свидетели: двое коллег.", HIDDEN_ORIGIN)):
        mark = fake_api.mark()
        fake_api.send_text(user, text, forward_origin=origin)
        await fake_api.next_reply(user, after=mark, where=has_button("do:done"))
    await person.press("do:done", button="do:skip")
    await send_document(
        fake_api, user, PDF, "order.pdf", "application/pdf", forward_origin=CHANNEL_ORIGIN
    )
    draft = await live.services.fsm.get_data(StorageKey(BOT_ID, user.id, user.id))
    assert "Свидетели" in json.dumps(draft, ensure_ascii=False), "the forwarded text is kept"
    await submit(person)
    assert await live.deliver() == 0

    cipher = live.services.cipher
    [(report_id, body)] = await live.services.database.fetchall("SELECT id, body FROM reports")
    opened = cipher.open_text(body, f"reports:{report_id}:body")
    assert BODY in opened and "Свидетели" in opened
    stored = await stored_attachments(live)
    assert [data for data, _meta in stored] == [PDF]
    traces = [
        opened,
        json.dumps(draft, ensure_ascii=False),
        json.dumps([meta for _data, meta in stored], ensure_ascii=False),
        *(m.plain_text or "" for m in fake_api.messages_in(group)),
    ]
    files = data_files(live)
    for trace in ORIGIN_TRACES:
        assert trace.encode() not in files
        assert all(trace not in text for text in traces)
    assert fake_api.calls("forwardMessage") == []


async def recorded_trail(
    live: Live, user: FakeUser, until: Callable[[dict[str, Any]], bool] = lambda trail: True
) -> dict[str, Any]:
    """The chat's recorded messages, once ``until`` holds: they are written after the reply."""
    key = StorageKey(BOT_ID, user.id, user.id, destiny=trail.DESTINY)
    for _attempt in range(100):
        recorded = await live.services.fsm.get_data(key)
        if until(recorded):
            break
        await asyncio.sleep(0.05)
    return recorded


async def edited(api: FakeBotAPI, message: SentMessage, *, after: int) -> SentMessage:
    return await api.next_reply(
        message.chat_id,
        after=after,
        methods=("editMessageText",),
        where=lambda m: m.message_id == message.message_id,
    )


def chat_message_ids(api: FakeBotAPI, user: FakeUser) -> set[int]:
    """Every message still in the private chat, the user's and the bot's."""
    return {m["message_id"] for m in api.all_messages() if m["chat"]["id"] == user.id}


async def test_clear_this_chat_deletes_the_dialog_on_both_sides_except_the_receipt(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person()
    user = person.user
    await to_evidence_step(person)
    received = await send_document(fake_api, user, PDF, "statement.pdf", "application/pdf")
    mark = fake_api.mark()
    fake_api.send_sticker(user)  # not an answer: the bot explains, and that goes too
    await fake_api.next_reply(user, after=mark)
    receipt_message = await submit(person)
    code = receipt.parse((receipt_message.plain_text or "").split("\n")[3])
    assert code is not None

    everything = chat_message_ids(fake_api, user)
    dialog = everything - {receipt_message.message_id}
    recorded = await recorded_trail(live, user, until=lambda trail: bool(trail.get("receipts")))
    assert set(recorded["ids"]) == dialog
    assert recorded["receipts"] == [receipt_message.message_id]
    senders = [m["from"]["is_bot"] for m in fake_api.all_messages() if m["chat"]["id"] == user.id]
    assert senders.count(False) == 4 and senders.count(True) == 5, "/report, text, file, sticker"

    other = live.person(language="kk")
    welcome = await other.command("/start")
    mark = fake_api.mark()
    forged = [
        fake_api.press_forged(other.user, CLEAR, receipt_message),  # someone else, our receipt
        fake_api.press_forged(other.user, CLEAR, welcome),  # in their own chat
        fake_api.press_forged(user, CLEAR, received),  # the reporter, under another message
    ]
    for query in forged:
        await fake_api.answer_to(query)
    assert fake_api.calls("deleteMessages", after=mark) == []
    assert fake_api.calls("deleteMessage", after=mark) == []
    assert chat_message_ids(fake_api, user) == everything

    mark = fake_api.mark()
    fake_api.press(user, CLEAR, receipt_message)
    cleared = await edited(fake_api, receipt_message, after=mark)
    assert chat_message_ids(fake_api, user) == {receipt_message.message_id}
    shown = [m.message_id for m in fake_api.messages_in(user)]
    assert shown == [receipt_message.message_id]
    assert all(m.deleted for m in fake_api.messages_in(user, include_deleted=True)[:-1])
    with in_locale(live, "ru"):
        assert _cleared_text() in (cleared.plain_text or "")
        gone = _("This button is no longer active.")
    assert receipt.format_code(code) in (cleared.plain_text or ""), "the code is still there"
    assert cleared.buttons == []

    mark = fake_api.mark()
    again = fake_api.press_forged(user, CLEAR, cleared)
    assert (await fake_api.answer_to(again)).get("text") == gone
    assert fake_api.calls("deleteMessages", after=mark) == []
    assert chat_message_ids(fake_api, user) == {receipt_message.message_id}
    recorded = await recorded_trail(live, user)
    assert recorded["ids"] == [], "the ids are forgotten once deleted"


async def test_messages_past_48_hours_stay_and_the_others_are_deleted(
    live: Live, fake_api: FakeBotAPI
) -> None:
    person = live.person()
    user = person.user
    await to_evidence_step(person)
    receipt_message = await submit(person, had_files=False)
    first = min(chat_message_ids(fake_api, user))
    fake_api.backdate(user, first, 49 * 3600)

    mark = fake_api.mark()
    fake_api.press(user, CLEAR, receipt_message)
    await edited(fake_api, receipt_message, after=mark)
    assert chat_message_ids(fake_api, user) == {first, receipt_message.message_id}
    assert [r.status for r in fake_api.calls("deleteMessages", after=mark)] == [400]
    assert any(not r.ok for r in fake_api.calls("deleteMessage", after=mark))


async def test_a_voice_stored_before_masking_is_masked_once_before_it_is_delivered(
    live: Live, fake_api: FakeBotAPI
) -> None:
    group = await abai_officers(live, fake_api)
    person = live.person()
    await to_evidence_step(person)
    original = spoken("kk", HIGH)
    mark = fake_api.mark()
    fake_api.send_voice(person.user, original)
    await fake_api.next_reply(person.user, after=mark, where=has_button("do:done"))
    await submit(person)
    await kept_as_an_older_bot_kept_it(live, original)

    await live.services.maintenance.mask_stored_recordings()
    [(data, meta)] = await stored_attachments(live)
    assert meta["masked"] is True and data.startswith(b"OggS") and data != original
    assert abs(median_pitch(data) - VoiceMask().pitch_hz) < VoiceMask().pitch_hz * 0.1
    assert await live.deliver() == 0
    [voice] = [m for m in fake_api.messages_in(group) if m.kind == "voice"]
    assert fake_api.files[voice.raw["voice"]["file_id"]].data == data
    assert await officers_masked_note(live) in (voice.caption or "")

    await kept_as_an_older_bot_kept_it(live, original)
    await live.services.maintenance.mask_stored_recordings()
    [(data, meta)] = await stored_attachments(live)
    assert data == original, "it runs once per database"


async def kept_as_an_older_bot_kept_it(live: Live, original: bytes) -> None:
    """The one stored file made the voice note as sent, as a bot before masking stored it."""
    [(attachment_id,)] = await live.services.database.fetchall("SELECT id FROM attachments")
    legacy = {"extension": "ogg", "mime_type": "audio/ogg", "caption": None, "cleaned": False}
    cipher = live.services.cipher
    await live.services.database.execute(
        "UPDATE attachments SET meta = ?, data = ?, size = ? WHERE id = ?",
        (
            cipher.seal(json.dumps(legacy).encode(), f"attachments:{attachment_id}:meta"),
            cipher.seal(original, f"attachments:{attachment_id}:data"),
            len(original),
            attachment_id,
        ),
    )


async def officers_masked_note(live: Live) -> str:
    department = await live.services.departments.department("abai")
    assert department is not None
    with in_locale(live, department.locale):
        note = file_note(FileKind.VOICE, cleaned=True, masked=True)
    assert note is not None
    return note


def median_pitch(data: bytes) -> float:
    sound = parselmouth.Sound(decoded(data).astype("float64"), sampling_frequency=16_000)
    frequencies = sound.to_pitch(pitch_floor=60, pitch_ceiling=500).selected_array["frequency"]
    return float(statistics.median(f for f in frequencies if f > 0))
