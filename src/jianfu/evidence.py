"""Evidence files (clues, case responses): checked by content and re-encoded without their metadata.

What is accepted: JPEG, PNG and PDF, recognised by their bytes (never by the name or the browser's content type),
at most ``MAX_BYTES`` each and ``MAX_FILES`` at a time. What leaves: a new file built from the content only —
images re-encoded from their pixels (no EXIF, GPS, XMP, ICC or text chunks; the EXIF orientation applied first so
the picture still stands upright), PDFs rebuilt page by page without document information, XMP, annotations,
scripts, attachments or embedded images' EXIF. Anything that cannot be read is refused with a sentence that says
why; nothing is written by this module.

Usage::

    from jianfu.evidence import EvidenceError, clean_files
    try:
        cleaned = clean_files(request.FILES.getlist("evidence"))
    except EvidenceError as exc:
        ...  # str(exc) is a translated sentence naming the file
    for item in cleaned:
        item.name, item.content_type, item.data, item.sha256
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# A picture larger than this many pixels is refused rather than decoded (a decompression bomb).
MAX_PIXELS = 60_000_000
MAX_PDF_PAGES = 200

KINDS = {"jpeg": ("image/jpeg", ".jpg"), "png": ("image/png", ".png"), "pdf": ("application/pdf", ".pdf")}


class EvidenceError(ValueError):
    """A file that is refused; the message names it and says why."""


@dataclass(frozen=True)
class CleanFile:
    name: str  # the original name without a path, with the extension of what it really is
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def sniff(head: bytes) -> str | None:
    """The kind the first bytes say, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return "pdf"
    return None


def safe_name(name: str, suffix: str) -> str:
    """The file's own name (no folders, no control characters), short, with the suffix of its real kind."""
    base = os.path.basename((name or "").replace("\\", "/")).strip().lstrip(".")
    base = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", base)
    stem = os.path.splitext(base)[0] or "evidence"
    return stem.encode("utf-8")[:150].decode("utf-8", "ignore") + suffix


def _read(upload) -> bytes:
    if isinstance(upload, (bytes, bytearray)):
        return bytes(upload)
    if hasattr(upload, "chunks"):
        parts, total = [], 0
        for chunk in upload.chunks():
            total += len(chunk)
            if total > MAX_BYTES:
                break  # enough to know it is too large
            parts.append(chunk)
        return b"".join(parts) + (b"\0" if total > MAX_BYTES else b"")
    return upload.read(MAX_BYTES + 1)


def clean_files(uploads) -> list[CleanFile]:
    """Check and re-encode every upload (Django UploadedFile, a file object, or (name, bytes) pairs)."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_FILES:
        raise EvidenceError(_("最多上传 %(n)s 个证据文件") % {"n": MAX_FILES})
    cleaned = []
    for upload in uploads:
        if isinstance(upload, tuple):
            name, data = upload[0], bytes(upload[1])
        else:
            name, data = getattr(upload, "name", "") or "", _read(upload)
        cleaned.append(clean_one(name, data))
    return cleaned


def clean_one(name: str, data: bytes) -> CleanFile:
    label = os.path.basename((name or "").replace("\\", "/")) or _("未命名文件")
    if not data:
        raise EvidenceError(_("文件「%(name)s」是空的") % {"name": label})
    if len(data) > MAX_BYTES:
        raise EvidenceError(_("文件「%(name)s」超过 %(mb)s MB") % {"name": label, "mb": MAX_BYTES // (1024 * 1024)})
    kind = sniff(data[:1024])
    if kind is None:
        raise EvidenceError(_("文件「%(name)s」不是 JPEG、PNG 或 PDF 文件（按内容判断）") % {"name": label})
    content_type, suffix = KINDS[kind]
    try:
        clean = _clean_pdf(data) if kind == "pdf" else _clean_image(data, kind)
    except EvidenceError as exc:
        raise EvidenceError(_("文件「%(name)s」：%(why)s") % {"name": label, "why": exc}) from None
    except Exception:  # any parser failure means the file cannot be checked: refuse it
        raise EvidenceError(_("文件「%(name)s」已损坏或无法读取") % {"name": label}) from None
    if len(clean) > MAX_BYTES:
        raise EvidenceError(_("文件「%(name)s」超过 %(mb)s MB") % {"name": label, "mb": MAX_BYTES // (1024 * 1024)})
    return CleanFile(safe_name(name, suffix), content_type, clean)


def _clean_image(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != kind.upper():
                    raise EvidenceError(_("内容与格式不符"))
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise EvidenceError(_("图片过大（像素过多）"))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise EvidenceError(_("图片过大（像素过多）")) from None
    # A new image from the pixels alone: nothing of the original file's chunks or segments survives.
    if kind == "jpeg":
        pixels = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
        bare = Image.new(pixels.mode, pixels.size)
        bare.paste(pixels)
        out = io.BytesIO()
        bare.save(out, format="JPEG", quality=90, optimize=True)
        return out.getvalue()
    mode = upright.mode if upright.mode in ("RGB", "RGBA", "L", "LA", "P", "1") else "RGBA"
    pixels = upright.convert(mode) if mode != upright.mode else upright
    bare = Image.new(pixels.mode, pixels.size)
    if pixels.mode == "P":
        bare.putpalette(pixels.getpalette() or [])
    bare.paste(pixels)
    out = io.BytesIO()
    bare.save(out, format="PNG", optimize=True)
    return out.getvalue()


# Page entries that can carry a person's name, a script, or a link out: dropped from every page.
_PAGE_KEYS_DROPPED = ("/Annots", "/AA", "/Metadata", "/PieceInfo", "/Thumb", "/B", "/StructParents")


def _clean_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise EvidenceError(_("PDF 已加密，无法检查，请去除密码后上传"))
    if len(reader.pages) > MAX_PDF_PAGES:
        raise EvidenceError(_("PDF 页数超过 %(n)s 页") % {"n": MAX_PDF_PAGES})
    writer = PdfWriter()
    for page in reader.pages:
        added = writer.add_page(page)
        for key in _PAGE_KEYS_DROPPED:
            if key in added:
                del added[NameObject(key)]
        _strip_image_metadata(added)
    # Only pages were copied: the catalog's names (attachments, scripts), outlines, open action and XMP stay behind.
    writer._info = None  # no document information dictionary (Author, Creator, Producer …) at all
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _strip_image_metadata(page) -> None:
    """Re-encode the page's JPEG images from their pixels: a photo's EXIF (GPS, camera, owner) goes with it."""
    from PIL import Image

    try:
        images = list(page.images)
    except Exception:
        return
    for image in images:
        try:
            if image.image is None or getattr(image.image, "format", "") != "JPEG":
                continue
            pixels = image.image.convert("RGB")
            bare = Image.new("RGB", pixels.size)
            bare.paste(pixels)
            image.replace(bare, quality=90)
        except Exception:  # an image pypdf cannot decode is left as it is; the page still renders
            continue
