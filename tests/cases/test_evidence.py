"""jianfu.evidence: content checks and re-encoding without metadata (the module clue uploads can share)."""

import io

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter

from jianfu import evidence
from jianfu.evidence import EvidenceError, clean_files, clean_one


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Li Si 13812345678")
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 10), (1, 2, 3, 128)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


def jpeg(orientation: int | None = None, size=(40, 20)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = image.getexif()
    exif[0x013B] = "Wang Wu"
    exif.get_ifd(0x8825)[1] = "N"  # GPSLatitudeRef: where the photo was taken
    exif.get_ifd(0x8825)[2] = (30.0, 15.0, 7.5)
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def pdf_with_metadata(encrypt: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Zhao Liu", "/Creator": "Scanner of Zhao Liu"})
    writer.add_js("app.alert('x');")  # deprecated in pypdf but still what a hostile file would hold
    if encrypt:
        writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_a_jpeg_loses_its_exif_and_stands_upright():
    clean = clean_one("c:\\photos\\现场.JPEG", jpeg(orientation=6))
    assert clean.name == "现场.jpg" and clean.content_type == "image/jpeg"
    image = Image.open(io.BytesIO(clean.data))
    assert Image.open(io.BytesIO(jpeg())).getexif().get_ifd(0x8825)  # the original did carry GPS
    assert image.size == (20, 40) and not dict(image.getexif()) and b"Wang Wu" not in clean.data
    assert not image.getexif().get_ifd(0x8825)


def test_a_png_loses_its_text_chunks():
    clean = clean_one("a.png", png_with_text())
    assert b"Li Si" not in clean.data and Image.open(io.BytesIO(clean.data)).mode == "RGBA"


def test_a_pdf_loses_its_author_and_scripts():
    clean = clean_one("scan.pdf", pdf_with_metadata())
    assert b"Zhao Liu" not in clean.data and b"app.alert" not in clean.data
    assert len(PdfReader(io.BytesIO(clean.data)).pages) == 1


@pytest.mark.parametrize("name, data, message", [
    ("a.jpg", b"", "是空的"),
    ("a.jpg", b"GIF89a....", "不是 JPEG、PNG 或 PDF"),
    ("a.pdf", b"MZ\x90\x00", "不是 JPEG、PNG 或 PDF"),
    ("a.jpg", b"\xff\xd8\xff\xe0 broken", "已损坏或无法读取"),
    ("a.pdf", pdf_with_metadata(encrypt=True), "已加密"),
    ("big.jpg", b"\xff\xd8\xff" + b"\0" * evidence.MAX_BYTES, "超过 10 MB"),
])
def test_what_is_refused(name, data, message):
    with pytest.raises(EvidenceError, match=message):
        clean_one(name, data)


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_PIXELS", 100)
    with pytest.raises(EvidenceError, match="像素过多"):
        clean_one("a.jpg", jpeg(size=(20, 10)))


def test_at_most_five_files():
    with pytest.raises(EvidenceError, match="最多上传 5 个"):
        clean_files([("a.jpg", jpeg())] * 6)
    assert len(clean_files([("a.jpg", jpeg())] * 5)) == 5


def test_a_photo_inside_a_pdf_loses_its_exif_too():
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject, StreamObject

    photo = jpeg()
    assert b"Wang Wu" in photo
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    image = StreamObject()
    image._data = photo  # the JPEG's own bytes, EXIF and all, as a scanner app embeds them
    image.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
                  NameObject("/Width"): NumberObject(40), NameObject("/Height"): NumberObject(20),
                  NameObject("/ColorSpace"): NameObject("/DeviceRGB"), NameObject("/BitsPerComponent"): NumberObject(8),
                  NameObject("/Filter"): NameObject("/DCTDecode")})
    content = DecodedStreamObject()
    content.set_data(b"q 40 0 0 20 0 0 cm /Im0 Do Q")
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})})
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert b"Wang Wu" in buffer.getvalue()
    clean = clean_one("scan.pdf", buffer.getvalue())
    assert b"Wang Wu" not in clean.data and len(PdfReader(io.BytesIO(clean.data)).pages[0].images) == 1
