"""Documents to .docx through python-docx, in the layout of GB/T 9704-2012 as Word users expect it."""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from jianfu.documents import fonts
from jianfu.documents.model import Document, Heading, Image, PageBreak, Paragraph, Table, chinese_date

_RED = RGBColor(0xDD, 0x00, 0x00)


def render_docx(document: Document) -> bytes:
    word = WordDocument()
    _page_setup(word)
    if document.red_header and document.issuer:
        _line(word, document.issuer, fonts.TITLE_FACES, 36, align=WD_ALIGN_PARAGRAPH.CENTER, colour=_RED)
        if document.number:
            _line(word, document.number, fonts.BODY_FACES, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
        _red_rule(word)
    _line(word, document.title, fonts.TITLE_FACES, 22, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    for block in document.blocks:
        _add_block(word, block)
    if document.issuer and not document.red_header:
        _line(word, document.issuer, fonts.BODY_FACES, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if document.date:
        _line(word, chinese_date(document.date), fonts.BODY_FACES, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    word.core_properties.title = document.title
    word.core_properties.author = document.issuer or ""
    word.save(out)
    return out.getvalue()


def _page_setup(word) -> None:
    section = word.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = word.styles["Normal"]
    normal.font.size = Pt(16)
    _east_asian(normal.element, fonts.installed_face(fonts.BODY_FACES))
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ").font.size = Pt(14)
    _page_field(footer)
    footer.add_run(" —").font.size = Pt(14)


def _add_block(word, block) -> None:
    if isinstance(block, Heading):
        faces = fonts.HEADING_FACES if block.level <= 1 else fonts.SUBHEADING_FACES
        _line(word, block.text, faces, 16)
    elif isinstance(block, Paragraph):
        paragraph = _line(word, block.text, fonts.BODY_FACES, 16, bold=block.bold)
        if block.indent:
            paragraph.paragraph_format.first_line_indent = Pt(32)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    elif isinstance(block, Table):
        if block.caption:
            _line(word, block.caption, fonts.BODY_FACES, 12, align=WD_ALIGN_PARAGRAPH.CENTER)
        _table(word, block)
    elif isinstance(block, Image):
        word.add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
        word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if block.caption:
            _line(word, block.caption, fonts.BODY_FACES, 12, align=WD_ALIGN_PARAGRAPH.CENTER)
    elif isinstance(block, PageBreak):
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    else:
        raise TypeError(f"not a document block: {block!r}")


def _table(word, block: Table) -> None:
    columns = len(block.header) or max((len(row) for row in block.rows), default=1)
    table = word.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if block.header:
        for cell, text in zip(table.add_row().cells, block.header, strict=True):
            _cell(cell, text, fonts.HEADING_FACES)
    for row in block.rows:
        cells = table.add_row().cells
        for cell, content in zip(cells, row, strict=True):
            _cell(cell, content, fonts.BODY_FACES)


def _cell(cell, content, faces: tuple[str, ...]) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = Pt(16)
    if isinstance(content, Image):  # a picture with its caption lines under it, centred in the cell
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run().add_picture(io.BytesIO(content.png), width=Cm(content.width_cm))
        for line in (content.caption or "").split("\n") if content.caption else ():
            below = cell.add_paragraph()
            below.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = below.add_run(line)
            run.font.size = Pt(11)
            _east_asian(run._element, fonts.installed_face(faces))
        return
    run = paragraph.add_run(str(content))
    run.font.size = Pt(11)
    _east_asian(run._element, fonts.installed_face(faces))


def _line(
    word,
    text: str,
    faces: tuple[str, ...],
    size: float,
    *,
    align=None,
    bold: bool = False,
    colour: RGBColor | None = None,
):
    paragraph = word.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    _east_asian(run._element, fonts.installed_face(faces))
    return paragraph


def _east_asian(element, face: str) -> None:
    # python-docx sets only the Latin face; Chinese text takes the w:eastAsia face of w:rFonts.
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), face)
    rfonts.set(qn("w:ascii"), face)
    rfonts.set(qn("w:hAnsi"), face)


def _red_rule(word) -> None:
    paragraph = word.add_paragraph()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "16"), ("w:space", "1"), ("w:color", "DD0000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_field(paragraph) -> None:
    run = paragraph.add_run()
    run.font.size = Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            node = OxmlElement("w:fldChar")
            node.set(qn("w:fldCharType"), kind)
        else:
            node = OxmlElement("w:instrText")
            node.set(qn("xml:space"), "preserve")
            node.text = text
        run._r.append(node)
