"""Official-style documents (通报, reports) as .docx and .pdf from one description.

doc = Document("关于……的通报", issuer="某县减负办", red_header=True, number="某减负〔2026〕1号",
               date=date.today(), blocks=[Heading("一、基本情况"), Paragraph("……"), Table([...], [[...]])])
render_docx(doc) -> bytes; render_pdf(doc) -> bytes
"""

from jianfu.documents.docx_render import render_docx
from jianfu.documents.model import Document, Heading, Image, PageBreak, Paragraph, Table, chinese_date
from jianfu.documents.pdf_render import render_pdf

__all__ = [
    "Document",
    "Heading",
    "Image",
    "PageBreak",
    "Paragraph",
    "Table",
    "chinese_date",
    "render_docx",
    "render_pdf",
]
