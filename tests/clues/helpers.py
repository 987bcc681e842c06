"""Shared pieces of the clue tests: photos with EXIF GPS, hostile files, the arithmetic question solved."""

from __future__ import annotations

import io
import re

GPS_MAKE = "JianfuTestCamera"  # written into the photo's EXIF: no stored byte may carry it afterwards
FORWARDED = "203.0.113.77"


def photo_with_gps(kind: str = "JPEG") -> bytes:
    """A real photo whose EXIF names a camera and a GPS position (and XMP, for JPEG)."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = GPS_MAKE  # Make
    exif[0x0110] = "GPSModel"
    gps = {1: "N", 2: (30.0, 15.0, 22.0), 3: "E", 4: (120.0, 9.0, 33.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", exif=exif, xmp=f"<x:xmpmeta>{GPS_MAKE}</x:xmpmeta>".encode())
    else:
        image.save(out, "PNG", exif=exif)
    return out.getvalue()


def zip_named_jpg() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    return out.getvalue()


def pdf_bytes(javascript: bool = False, author: str = "Zhang San") -> bytes:
    """A one-page PDF with an author; with javascript, an OpenAction that runs a script."""
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": author, "/Title": "evidence"})
    if javascript:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('x')")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


_DIGITS = "零一二三四五六七八九"


def _chinese(text: str) -> int:
    if "十" not in text:
        return _DIGITS.index(text)
    tens, _, ones = text.partition("十")
    return (_DIGITS.index(tens) if tens else 1) * 10 + (_DIGITS.index(ones) if ones else 0)


def solve(html: str) -> dict:
    """The challenge token and the right answer, read from the form as a person would."""
    question = re.search(r"请计算：(\S+?)加(\S+?)等于几", html)
    token = re.search(r'name="challenge" value="([^"]+)"', html)
    return {"challenge": token.group(1), "answer": str(_chinese(question.group(1)) + _chinese(question.group(2)))}


def receipt_of(response) -> str:
    return re.search(r'<p class="receipt" id="receipt"><strong>([A-Z0-9-]+)</strong>', response.content.decode()).group(
        1
    )
