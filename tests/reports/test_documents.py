"""The report as .docx, .pdf and .xlsx: they open, hold the numbers, and the charts are drawn in a CJK font."""

import io

import openpyxl
import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from jianfu.registry.models import Unit
from jianfu.reports import charts, export
from jianfu.reports.summary import build_report
from tests.cast import COUNTY
from tests.reports.conftest import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(outcome):
    return build_report(START, outcome.today, Unit.objects.get(code=COUNTY), user=outcome.county)


def numbers(report) -> list[str]:
    s = report.summary
    return [
        f"{s['hours_per_month']['start']:,.1f}",
        f"{s['hours_per_month']['end']:,.1f}",
        f"{s['per_cadre_hours_per_month']['start']['p50']:,.1f}",
        s["from"],
        s["to"],
    ]


def test_the_word_report_opens_and_holds_the_numbers(report):
    word = WordDocument(io.BytesIO(export.write_docx(report)))
    text = "\n".join(p.text for p in word.paragraphs)
    cells = "\n".join(cell.text for table in word.tables for row in table.rows for cell in row.cells)
    assert "上城区" in text and "减负实效报告" in text
    for number in numbers(report):
        assert number in text
    assert "G1" in cells and "G4" in cells  # the merged group in the groups' table
    assert len(word.inline_shapes) == 3  # the three charts


def test_the_pdf_opens_and_its_text_holds_the_numbers(report):
    pdf = PdfReader(io.BytesIO(export.write_pdf(report)))
    text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    for number in numbers(report):
        assert number in text
    assert "工作群" in text and "G1" in text
    assert sum(len(page.images) for page in pdf.pages) >= 3  # the charts (with their alpha masks)


def test_the_charts_use_the_noto_cjk_font_and_have_every_glyph(report):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = charts.cjk_font_path()
    assert "NotoSansCJK" in path.name or "Noto Sans CJK" in str(path)
    prop = charts.font_properties()
    assert font_manager.findfont(prop) == str(path)
    font = FT2Font(str(path))
    labels = (
        "".join(charts.kind_labels().values()) + "在用载体数量变化人均每月负担（小时）各类问题及处理情况中位数期初期末"
    )
    missing = [ch for ch in labels if font.get_char_index(ord(ch)) == 0]
    assert missing == []  # no boxes: every Chinese label has a glyph in the chart font
    png = charts.carriers_over_time(report)
    assert png.startswith(b"\x89PNG")


def test_the_spreadsheet_has_every_table_as_a_sheet(report):
    book = openpyxl.load_workbook(io.BytesIO(export.write_xlsx(report)))
    titles = [title for title, _header, _rows in export.tables(report)]
    assert book.sheetnames[0] == "概要" and len(book.sheetnames) == len(titles) + 1
    carriers = book["载体数量"]
    assert [c.value for c in carriers[2]] == ["工作群", 3, 2, -1]
    merged = book["工作群注销与整合"]
    assert merged["A2"].value == "G1" and merged["E2"].value == "G4"


def test_spreadsheet_text_is_never_a_formula(report):
    report.ended["groups"] = [("G9", '=HYPERLINK("http://x")', "已注销", None, "", "")]
    book = openpyxl.load_workbook(io.BytesIO(export.write_xlsx(report)))
    assert book["工作群注销与整合"]["B2"].value.startswith("'=")
