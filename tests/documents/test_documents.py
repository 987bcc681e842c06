"""Official documents render to .docx and .pdf with the same text, CJK faces and page numbers."""

import datetime
import io

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from jianfu.documents import Document, Heading, Image, PageBreak, Paragraph, Table, render_docx, render_pdf
from jianfu.documents import fonts
from jianfu.documents.pdf_render import to_html


def _notice() -> Document:
    return Document(
        "关于整治指尖上形式主义典型问题的通报",
        issuer="示例县减负办",
        red_header=True,
        number="示减负〔2026〕1号",
        date=datetime.date(2026, 11, 29),
        blocks=[
            Heading("一、基本情况"),
            Paragraph("本月发现问题12个，<b>已整改</b>9个。"),
            Heading("（一）分项", level=2),
            Table(["单位", "数量"], [["甲镇", "3"], ["乙镇", "=1+1"]], caption="表1 各单位问题数"),
            PageBreak(),
            Paragraph("第二页的话"),
        ],
    )


def test_pdf_holds_the_text_in_order_with_page_numbers():
    reader = PdfReader(io.BytesIO(render_pdf(_notice())))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    for expected in (
        "示例县减负办",
        "示减负〔2026〕1号",
        "关于整治指尖上形式主义典型问题的通报",
        "一、基本情况",
        "本月发现问题12个，<b>已整改</b>9个。",
        "甲镇",
        "— 1 —",
    ):
        assert expected in first
    assert first.index("一、基本情况") < first.index("甲镇")
    second = reader.pages[1].extract_text()
    assert "第二页的话" in second and "2026年11月29日" in second and "— 2 —" in second


def test_pdf_embeds_a_cjk_font():
    reader = PdfReader(io.BytesIO(render_pdf(_notice())))
    names = set()
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        names.add(str(font.get_object()["/BaseFont"]))
    assert any("CJK" in name or "Hei" in name or "Song" in name for name in names), names


def test_markup_in_text_stays_text():
    html = to_html(Document("标题<img src='file:///etc/passwd'>", blocks=[Paragraph("<script>x</script>")]))
    assert "<script>" not in html and "<img src='file" not in html
    assert "&lt;script&gt;" in html


def test_pdf_fetches_nothing_from_outside(monkeypatch):
    # Even if markup slipped through, the fetcher allows data: URIs only: a file URL fails the render.
    from jianfu.documents import pdf_render

    monkeypatch.setattr(pdf_render, "to_html", lambda document: "<img src='file:///etc/hostname'>")
    with pytest.raises(ValueError, match="outside resources"):
        render_pdf(_notice())


def test_docx_holds_the_text_with_east_asian_faces_and_a_page_field():
    word = docx.Document(io.BytesIO(render_docx(_notice())))
    texts = [paragraph.text for paragraph in word.paragraphs]
    assert texts[0] == "示例县减负办" and "关于整治指尖上形式主义典型问题的通报" in texts
    assert "本月发现问题12个，<b>已整改</b>9个。" in texts and "2026年11月29日" in texts
    table = word.tables[0]
    assert [cell.text for cell in table.rows[2].cells] == ["乙镇", "=1+1"]
    run = next(p for p in word.paragraphs if p.text.startswith("本月")).runs[0]
    east_asian = run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    assert east_asian in fonts.BODY_FACES
    footer_xml = word.sections[0].footer._element.xml
    assert "PAGE" in footer_xml
    section = word.sections[0]
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8


def test_chart_font_has_chinese_glyphs():
    from matplotlib import ft2font

    path = fonts.cjk_font_path()
    assert path is not None, "fonts-noto-cjk (or another CJK font) must be installed"
    face = ft2font.FT2Font(str(path))
    assert face.get_char_index(ord("减")) != 0 and face.get_char_index(ord("負")) != 0


def _qr_like_png(shade: int) -> bytes:
    from PIL import Image as Picture

    buffer = io.BytesIO()
    Picture.new("L", (40, 40), shade).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_table_of_images_is_a_grid_in_pdf_and_docx():
    grid = Table(
        [],
        [
            [
                Image(_qr_like_png(0), width_cm=3, caption="张三　科员\n甲镇"),
                Image(_qr_like_png(90), width_cm=3, caption="李四\n乙镇"),
                "",
            ]
        ],
    )
    document = Document("问卷二维码", blocks=[grid])
    html = to_html(document)
    assert "<thead>" not in html and html.count("<img src='data:image/png;base64,") == 2
    assert "张三　科员<br>甲镇" in html
    reader = PdfReader(io.BytesIO(render_pdf(document)))
    text = reader.pages[0].extract_text()
    assert "张三" in text and "乙镇" in text and text.index("张三") < text.index("李四")
    assert len(reader.pages[0].images) == 2
    word = docx.Document(io.BytesIO(render_docx(document)))
    (table,) = word.tables
    assert len(table.rows) == 1 and len(table.columns) == 3
    cell = table.rows[0].cells[0]
    assert [p.text for p in cell.paragraphs] == ["", "张三　科员", "甲镇"]
    assert cell._element.xpath(".//pic:pic")
    assert len(word.inline_shapes) == 2
