"""Evidence files (clues, case responses): checked by content and re-encoded without their metadata.

The one module both apps use. What is accepted: JPEG, PNG and PDF, recognised by their bytes (never by the name or
the browser's content type), at most ``MAX_BYTES`` each and ``MAX_FILES`` at a time. What leaves: a new file built
from the content only —

* images re-encoded from their pixels (no EXIF, GPS, XMP, ICC or text chunks; the EXIF orientation applied first so
  the picture still stands upright); a picture of more than ``MAX_PIXELS`` is refused before it is decoded
  (a decompression bomb);
* PDFs rebuilt page by page without document information, XMP, annotations or page actions, and with the JPEG
  images on their pages re-encoded (a scanned photo's EXIF goes too). A PDF that carries JavaScript, an open
  action, launch/submit/import actions, attachments, rich media or encryption is refused rather than cleaned,
  because the reader would not see what it did: its raw bytes are searched for those names (``#xx`` escapes
  undone), and every object reachable from the trailer is walked (at most ``MAX_PDF_OBJECTS``).

Anything that cannot be read is refused with a sentence that names the file and says why; nothing is written by
this module (each app stores the cleaned bytes its own way: ``jianfu.clues.storage``, ``jianfu.cases.actions``).

Usage::

    from jianfu.evidence import EvidenceError, clean_files
    try:
        cleaned = clean_files(request.FILES.getlist("evidence"))
    except EvidenceError as exc:
        ...  # str(exc) is a translated sentence naming the file; exc.too_large says 413 rather than 400
    for item in cleaned:
        item.name, item.kind, item.content_type, item.suffix, item.data, item.sha256
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
# A picture larger than this many pixels (a 40-megapixel photo) is refused rather than decoded.
MAX_PIXELS = 40_000_000
MAX_PDF_PAGES = 200
MAX_PDF_OBJECTS = 200_000

KINDS = {"jpeg": ("image/jpeg", ".jpg"), "png": ("image/png", ".png"), "pdf": ("application/pdf", ".pdf")}
# Names that make a PDF act rather than show (ISO 32000 actions, scripts, attachments, forms that submit).
ACTIVE_PDF_NAMES = {
    "/JavaScript",
    "/JS",
    "/OpenAction",
    "/AA",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/GoToR",
    "/GoToE",
    "/XFA",
    "/Sound",
    "/Movie",
}
# Searched for in the raw bytes too, so a name hidden in a stream or an unreachable object is still seen.
_RAW_ACTIVE_NAMES = ("/JavaScript", "/JS", "/OpenAction", "/Launch", "/EmbeddedFile", "/RichMedia", "/SubmitForm")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Page entries that can carry a person's name, a script, or a link out: dropped from every page.
_PAGE_KEYS_DROPPED = ("/Annots", "/AA", "/Metadata", "/PieceInfo", "/Thumb", "/B", "/StructParents")


class EvidenceError(ValueError):
    """A file that is refused; the message names it and says why. ``too_large``: answer 413, not 400."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True)
class CleanFile:
    name: str  # the original name without a path, with the extension of what it really is
    content_type: str
    data: bytes

    @property
    def kind(self) -> str:
        return next((k for k, (ctype, _suffix) in KINDS.items() if ctype == self.content_type), "")

    @property
    def suffix(self) -> str:
        return KINDS[self.kind][1] if self.kind else ""

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
    if head.lstrip(b"\x00\t\n\r ").startswith(b"%PDF-"):
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
    """Check and re-encode every upload (Django UploadedFile, a file object, or (name, bytes) pairs).

    Raises EvidenceError for the first file refused (or for too many files): all or nothing.
    """
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_FILES:
        raise EvidenceError(_("最多上传 %(n)s 个文件") % {"n": MAX_FILES})
    cleaned = []
    for upload in uploads:
        if isinstance(upload, tuple):
            name, data = upload[0], bytes(upload[1])
        else:
            name, data = getattr(upload, "name", "") or "", _read(upload)
        cleaned.append(clean_one(name, data))
    return cleaned


def too_large_message(name: str) -> str:
    """The sentence for a file over MAX_BYTES (also said by the views that refuse it before reading it)."""
    label = os.path.basename((name or "").replace("\\", "/"))[-60:] or _("未命名文件")
    return _("文件「%(name)s」超过 10 MB，请压缩或拆分后再上传") % {"name": label}


def _too_large(label: str) -> EvidenceError:
    return EvidenceError(too_large_message(label), too_large=True)


def clean_one(name: str, data: bytes) -> CleanFile:
    """The file as it will be stored: checked by content and re-encoded; EvidenceError when it cannot be."""
    label = os.path.basename((name or "").replace("\\", "/"))[-60:] or _("未命名文件")
    if len(data) > MAX_BYTES:
        raise _too_large(label)
    if not data:
        raise EvidenceError(_("文件「%(name)s」是空的") % {"name": label})
    kind = sniff(data[:1024])
    if kind is None:
        raise EvidenceError(
            _("文件「%(name)s」不是 JPEG、PNG 图片或 PDF 文档（按文件内容判断，与扩展名无关）") % {"name": label}
        )
    content_type, suffix = KINDS[kind]
    try:
        clean = _clean_pdf(data) if kind == "pdf" else _clean_image(data, kind)
    except EvidenceError as exc:
        raise EvidenceError(_("文件「%(name)s」：%(problem)s") % {"name": label, "problem": exc}) from None
    except Exception:  # any parser failure means the file cannot be checked: refuse it
        raise EvidenceError(_("文件「%(name)s」已损坏或无法读取") % {"name": label}) from None
    if len(clean) > MAX_BYTES:
        raise _too_large(label)
    return CleanFile(safe_name(name, suffix), content_type, clean)


def _clean_image(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != kind.upper():
                    raise EvidenceError(_("内容与格式不符"))
                if probe.width * probe.height > MAX_PIXELS:
                    raise EvidenceError(_("图片过大（像素过多）"))
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except EvidenceError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise EvidenceError(_("图片过大（像素过多）")) from None
    except Exception:  # Pillow raises many kinds for a broken or hostile file; none of them is a 500
        raise EvidenceError(_("图片已损坏或无法读取")) from None
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


def _unescaped(data: bytes) -> bytes:
    """PDF names may spell a letter as #xx (/J#61vaScript); undo that before looking for active names."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _active_refused(name: str) -> EvidenceError:
    return EvidenceError(
        _("PDF 含有脚本、自动动作或附件（%(name)s），出于安全原因不予接收；请打印为新的 PDF 或截图后上传")
        % {"name": name}
    )


def _active_name_in(obj) -> str | None:
    """Walk every dictionary and array reachable from obj (at most MAX_PDF_OBJECTS); the first active name."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    budget = MAX_PDF_OBJECTS
    stack = [obj]
    while stack:
        budget -= 1
        if budget < 0:
            raise EvidenceError(_("PDF 结构过于复杂"))
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in ACTIVE_PDF_NAMES:
                    return str(name)
                if name == "/S" and value in ACTIVE_PDF_NAMES:
                    return str(value)
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def _clean_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    raw = _unescaped(data)
    for name in _RAW_ACTIVE_NAMES:
        if re.search(re.escape(name.encode()) + rb"(?![A-Za-z])", raw):
            raise _active_refused(name)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise EvidenceError(_("PDF 已加密，请去掉密码后再上传"))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise EvidenceError(_("PDF 超过 %(n)s 页") % {"n": MAX_PDF_PAGES})
        found = _active_name_in(reader.trailer)
        if found:
            raise _active_refused(found)
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in _PAGE_KEYS_DROPPED:
                if key in added:
                    del added[NameObject(key)]
            _strip_image_metadata(added)
        # Only pages were copied: the catalog's names, outlines, open action and XMP stay behind.
        writer._info = None  # no document information dictionary (Author, Creator, Producer …) at all
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except EvidenceError:
        raise
    except Exception:  # pypdf raises many kinds on a broken file
        raise EvidenceError(_("PDF 已损坏或无法读取")) from None


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
            if pixels.width * pixels.height > MAX_PIXELS:
                continue
            bare = Image.new("RGB", pixels.size)
            bare.paste(pixels)
            image.replace(bare, quality=90)
        except Exception:  # an image pypdf cannot decode is left as it is; the page still renders
            continue
