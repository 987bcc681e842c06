"""The printed QR sheet for a meeting: one slip per person with their one-time survey link.

The tokens exist only in this response (the database keeps their hashes), so the sheet is made when the links
are issued: as an HTML page to print, or as a PDF (reportlab, with its built-in Chinese CID font, so nothing
has to be installed or downloaded).
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
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(survey.title)
    pdf.setAuthor("")
    width, height = A4
    cols, rows = 3, 4
    cell_w, cell_h = (width - 20 * mm) / cols, (height - 30 * mm) / rows
    per_page = cols * rows
    for start in range(0, max(1, len(slips)), per_page):
        pdf.setFont(font, 11)
        # The CID font has no middle dot (·): full-width spaces separate the parts.
        pdf.drawString(10 * mm, height - 12 * mm, f"{survey.title}　{area_name}　" + _("每人一码，只能提交一次"))
        for i, slip in enumerate(slips[start:start + per_page]):
            col, row = i % cols, i // cols
            x = 10 * mm + col * cell_w
            y = height - 20 * mm - (row + 1) * cell_h
            pdf.rect(x, y, cell_w, cell_h, stroke=1, fill=0)
            img = qrcode.make(slip.url, box_size=4, border=1).get_image()
            side = min(cell_w, cell_h) - 22 * mm
            pdf.drawImage(ImageReader(img), x + (cell_w - side) / 2, y + 14 * mm, side, side)
            pdf.setFont(font, 10)
            pdf.drawCentredString(x + cell_w / 2, y + 9 * mm, f"{slip.name}  {slip.post}"[:24])
            pdf.setFont(font, 7)
            pdf.drawCentredString(x + cell_w / 2, y + 5 * mm, slip.unit[:30])
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
