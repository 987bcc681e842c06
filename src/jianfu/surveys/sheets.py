"""The printed QR sheet for a meeting: one slip per person with their one-time survey link.

The tokens exist only in this response (the database keeps their hashes), so the sheet is made when the links
are issued: as an HTML page to print, or as a PDF through ``jianfu.documents`` (WeasyPrint with the Noto CJK font
embedded, like notices and reports): a Table of QR images, each with the person's name, post and unit under it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


@dataclass
class Slip:
    name: str
    post: str
    unit: str
    url: str


def qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6, border=2)
    return image.to_string(encoding="unicode")


def with_qr(slips: list[Slip]) -> list[tuple[Slip, str]]:
    return [(s, mark_safe(qr_svg(s.url))) for s in slips]  # noqa: S308 — qrcode's own SVG, no user text in it


def pdf(survey, area_name: str, slips: list[Slip]) -> bytes:
    """The sheet as a PDF through jianfu.documents (WeasyPrint, the CJK font embedded): a grid of QR slips."""
    from jianfu.documents import Document, Image, Paragraph, Table, render_pdf

    cells = [
        Image(_qr_png(slip.url), width_cm=3.6, caption=f"{slip.name}　{slip.post}".strip() + "\n" + slip.unit)
        for slip in slips
    ]
    rows = [cells[i : i + SHEET_COLUMNS] for i in range(0, len(cells), SHEET_COLUMNS)]
    if rows and len(rows[-1]) < SHEET_COLUMNS:
        rows[-1] = rows[-1] + [""] * (SHEET_COLUMNS - len(rows[-1]))
    document = Document(
        survey.title, blocks=[Paragraph(f"{area_name}　" + _("每人一码，只能提交一次"), indent=False), Table([], rows)]
    )
    return render_pdf(document)


SHEET_COLUMNS = 3


def _qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(url, box_size=4, border=1).save(buffer)
    return buffer.getvalue()
