"""Evidence files judged by their content, not their name, and re-encoded so no metadata survives.

Images (JPEG, PNG) are decoded and drawn again by Pillow: EXIF (with GPS), XMP, ICC profiles and comments are
not carried over. PDFs are rewritten page by page with pypdf into a new document without an information
dictionary or XMP; a PDF that carries JavaScript, an open action, launch or submit actions, embedded files or
encryption is refused rather than cleaned, because the reader would not see what it did.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; anything larger is a decompression bomb, not evidence
MAX_PDF_PAGES = 200
MAX_PDF_OBJECTS = 200_000
# Names that make a PDF act rather than show (ISO 32000 actions, scripts, attachments, forms that submit).
ACTIVE_PDF_NAMES = {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/SubmitForm", "/ImportData",
                    "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia", "/GoToR", "/GoToE", "/XFA", "/Sound",
                    "/Movie"}
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


class EvidenceError(ValueError):
    """A file that cannot be evidence; the message is for the reporter."""

    def __init__(self, message: str, *, too_large: bool = False):
        super().__init__(message)
        self.too_large = too_large


@dataclass(frozen=True)
class CleanFile:
    kind: str  # jpeg, png, pdf
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(head: bytes) -> str | None:
    """The file's real type from its first bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.lstrip(b"\x00\t\n\r ")[:5] == b"%PDF-":
        return "pdf"
    return None


def clean(name: str, data: bytes) -> CleanFile:
    """The file as it will be stored: checked by content and re-encoded; EvidenceError when it cannot be."""
    shown = name[-60:] or _("未命名文件")
    if len(data) > MAX_FILE_BYTES:
        raise EvidenceError(_("文件「%(name)s」超过 10 MB，请压缩或拆分后再上传") % {"name": shown}, too_large=True)
    if not data:
        raise EvidenceError(_("文件「%(name)s」是空文件") % {"name": shown})
    kind = sniff(data[:1024])
    if kind is None:
        raise EvidenceError(_("文件「%(name)s」不是 JPEG、PNG 图片或 PDF 文档（按文件内容判断，与扩展名无关）")
                            % {"name": shown})
    try:
        return CleanFile(kind, _clean_pdf(data) if kind == "pdf" else _clean_image(data, kind))
    except EvidenceError as exc:
        raise EvidenceError(_("文件「%(name)s」：%(problem)s") % {"name": shown, "problem": exc}) from None


def _clean_image(data: bytes, kind: str) -> bytes:
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != kind.upper() or probe.width * probe.height > MAX_PIXELS:
                    raise EvidenceError(_("图片无法读取或尺寸过大"))
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except EvidenceError:
        raise
    except Exception:  # Pillow raises many kinds for a broken or hostile file; none of them is a 500
        raise EvidenceError(_("图片已损坏或无法读取")) from None
    # Apply the EXIF orientation to the pixels, then start from a bare copy: no info dictionary is carried.
    image = ImageOps.exif_transpose(image)
    if kind == "jpeg":
        image = image.convert("RGB") if image.mode not in ("RGB", "L") else image
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    out = io.BytesIO()
    if kind == "jpeg":
        bare.save(out, "JPEG", quality=88, optimize=True)
    else:
        bare.save(out, "PNG", optimize=True)
    return out.getvalue()


def _unescaped(data: bytes) -> bytes:
    """PDF names may spell a letter as #xx (/J#61vaScript); undo that before looking for active names."""
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _active_names_in(obj, seen: set[int], budget: list[int]) -> str | None:
    """Walk every dictionary and array reachable from obj; the first active name found, if any."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [obj]
    while stack:
        budget[0] -= 1
        if budget[0] < 0:
            raise EvidenceError(_("PDF 结构过于复杂"))
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if hash(key) in seen:
                continue
            seen.add(hash(key))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in ACTIVE_PDF_NAMES or (name == "/S" and value in ACTIVE_PDF_NAMES):
                    return name if name != "/S" else str(value)
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def _clean_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    raw = _unescaped(data)
    for name in ("/JavaScript", "/JS", "/OpenAction", "/Launch", "/EmbeddedFile", "/RichMedia", "/SubmitForm"):
        if re.search(re.escape(name.encode()) + rb"(?![A-Za-z])", raw):
            raise EvidenceError(_("PDF 含有脚本、自动动作或附件（%(name)s），出于安全原因不予接收；"
                                  "请打印为新的 PDF 或截图后上传") % {"name": name})
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise EvidenceError(_("PDF 已加密，请去掉密码后再上传"))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise EvidenceError(_("PDF 超过 %(n)s 页") % {"n": MAX_PDF_PAGES})
        found = _active_names_in(reader.trailer, set(), [MAX_PDF_OBJECTS])
        if found:
            raise EvidenceError(_("PDF 含有脚本、自动动作或附件（%(name)s），出于安全原因不予接收；"
                                  "请打印为新的 PDF 或截图后上传") % {"name": found})
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in ("/Metadata", "/PieceInfo", "/Annots"):
                if NameObject(key) in added:
                    del added[NameObject(key)]
        writer._info = None  # no information dictionary: no author, producer, title or dates
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except EvidenceError:
        raise
    except Exception:  # pypdf raises many kinds on a broken file
        raise EvidenceError(_("PDF 已损坏或无法读取")) from None


def storage_folder() -> Path:
    folder = Path(settings.JIANFU_CLUE_FILES)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store(file: CleanFile) -> str:
    """Write the cleaned bytes under a random name (owner-only) and return that name."""
    import os

    name = f"{secrets.token_hex(16)}.{'jpg' if file.kind == 'jpeg' else file.kind}"
    path = storage_folder() / name
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
        handle.write(file.data)
    return name


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|pdf)", stored_name):
        raise FileNotFoundError(stored_name)
    return storage_folder() / stored_name


def discard(stored_names: list[str]) -> None:
    for name in stored_names:
        try:
            path_of(name).unlink()
        except FileNotFoundError:
            pass
