"""jianfu.evidence: content checks and re-encoding without metadata, the one module cases and clues both use."""

import io
import warnings

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from jianfu import evidence
from jianfu.evidence import EvidenceError, clean_files, clean_one
from tests.clues.helpers import GPS_MAKE, pdf_bytes, photo_with_gps, zip_named_jpg


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


def pdf_with_metadata(encrypt: bool = False, script: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Zhao Liu", "/Creator": "Scanner of Zhao Liu"})
    if script:
        with warnings.catch_warnings():  # add_js is deprecated in pypdf but still what a hostile file would hold
            warnings.simplefilter("ignore", DeprecationWarning)
            writer.add_js("app.alert('x');")
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


def test_a_pdf_loses_its_author():
    clean = clean_one("scan.pdf", pdf_with_metadata())
    assert b"Zhao Liu" not in clean.data and b"/Author" not in clean.data and b"/Creator" not in clean.data
    assert clean.name == "scan.pdf" and clean.kind == "pdf" and clean.content_type == "application/pdf"
    assert len(PdfReader(io.BytesIO(clean.data)).pages) == 1
    clean = clean_one("notice.pdf", pdf_bytes())
    assert clean.data.startswith(b"%PDF") and b"Zhang San" not in clean.data


def test_a_photo_loses_gps_make_and_xmp():
    for kind in ("JPEG", "PNG"):
        original = photo_with_gps(kind)
        assert GPS_MAKE.encode() in original
        clean = clean_one("IMG_0001." + kind.lower(), original)
        assert GPS_MAKE.encode() not in clean.data and b"GPS" not in clean.data and b"Exif" not in clean.data
        image = Image.open(io.BytesIO(clean.data))
        assert not image.getexif() and "xmp" not in image.info
        assert clean.kind == kind.lower() and clean.suffix == (".jpg" if kind == "JPEG" else ".png")


def test_content_decides_not_the_name():
    assert clean_one("scan.jpg", b"\n\n" + pdf_with_metadata()).name == "scan.pdf"
    assert clean_one("photo.pdf", jpeg()).content_type == "image/jpeg"
    with pytest.raises(EvidenceError, match="内容与格式不符|已损坏"):
        clean_one("a.png", b"\x89PNG\r\n\x1a\n" + jpeg())


def _pdf_with(root_entries: dict) -> bytes:
    """A one-page PDF whose catalog carries the given entries (values built by the caller)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    for key, value in root_entries.items():
        writer._root_object[NameObject(key)] = (
            writer._add_object(value) if isinstance(value, DictionaryObject) else value
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({NameObject("/S"): NameObject(kind)})
    action.update({NameObject(k): v for k, v in entries.items()})
    return action


@pytest.mark.parametrize(
    "data",
    [
        pdf_with_metadata(script=True),  # a document-level JavaScript name tree
        pdf_bytes(javascript=True),  # an OpenAction that runs a script
        _pdf_with({"/OpenAction": _action("/Launch", **{"/F": TextStringObject("calc.exe")})}),
        _pdf_with({"/OpenAction": _action("/SubmitForm", **{"/F": TextStringObject("http://example.org/")})}),
        _pdf_with({"/Names": DictionaryObject({NameObject("/EmbeddedFiles"): DictionaryObject()})}),
        _pdf_with({"/AcroForm": DictionaryObject({NameObject("/XFA"): ArrayObject()})}),
        _pdf_with({"/Foo": _action("/ImportData")}),  # a nested action, found by walking every object
    ],
    ids=["js", "openaction", "launch", "submitform", "attachments", "xfa", "importdata"],
)
def test_active_pdfs_are_refused_not_cleaned(data):
    with pytest.raises(EvidenceError, match="PDF 含有脚本、自动动作或附件"):
        clean_one("notice.pdf", data)


def test_escaped_active_names_are_seen():
    hidden = pdf_bytes(javascript=True).replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS ", b"/J#53 ")
    assert b"/JavaScript" not in hidden and b"/J#61vaScript" in hidden
    with pytest.raises(EvidenceError, match="PDF 含有脚本"):
        clean_one("notice.pdf", hidden)


def test_a_pdf_with_too_many_objects_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_PDF_OBJECTS", 3)
    with pytest.raises(EvidenceError, match="PDF 结构过于复杂"):
        clean_one("a.pdf", pdf_with_metadata())


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("a.jpg", b"", "是空的"),
        ("a.jpg", b"GIF89a....", "不是 JPEG、PNG 图片或 PDF"),
        ("a.pdf", b"MZ\x90\x00", "不是 JPEG、PNG 图片或 PDF"),
        ("photo.jpg", zip_named_jpg(), "不是 JPEG、PNG 图片或 PDF"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"broken" * 50, "图片已损坏"),
        ("a.pdf", b"%PDF-1.7\n garbage", "PDF 已损坏或无法读取"),
        ("a.jpg", b"\xff\xd8\xff\xe0 broken", "已损坏或无法读取"),
        ("a.pdf", pdf_with_metadata(encrypt=True), "已加密"),
        ("big.jpg", b"\xff\xd8\xff" + b"\0" * evidence.MAX_BYTES, "超过 10 MB"),
    ],
)
def test_what_is_refused(name, data, message):
    with pytest.raises(EvidenceError, match=message) as refused:
        clean_one(name, data)
    assert refused.value.too_large == ("10 MB" in message)


def test_a_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(evidence, "MAX_PIXELS", 100)
    with pytest.raises(EvidenceError, match="像素过多"):
        clean_one("a.jpg", jpeg(size=(20, 10)))


def test_a_real_bomb_is_refused_without_decoding_it():
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 megapixels in a few kilobytes
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(EvidenceError, match="像素过多"):
        clean_one("bomb.png", buffer.getvalue())


def test_at_most_five_files():
    with pytest.raises(EvidenceError, match="最多上传 5 个文件"):
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
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(40),
            NameObject("/Height"): NumberObject(20),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
            NameObject("/Filter"): NameObject("/DCTDecode"),
        }
    )
    content = DecodedStreamObject()
    content.set_data(b"q 40 0 0 20 0 0 cm /Im0 Do Q")
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
    )
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert b"Wang Wu" in buffer.getvalue()
    clean = clean_one("scan.pdf", buffer.getvalue())
    assert b"Wang Wu" not in clean.data and len(PdfReader(io.BytesIO(clean.data)).pages[0].images) == 1
