"""Hostile spreadsheets built byte by byte: far cells, decompression bombs, repeat bombs, DTDs, deep nesting."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_xml(rows: dict[int, dict[str, str]], *, prolog: str = "", dimension: str = "", merges: list[str] = ()) -> str:
    """A worksheet whose rows map row number → {cell reference: inline text}."""
    body = "".join(
        f'<row r="{number}">'
        + "".join(f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>' for ref, text in cells.items())
        + "</row>"
        for number, cells in rows.items()
    )
    dimension = f'<dimension ref="{dimension}"/>' if dimension else ""
    merged = (
        (
            f'<mergeCells count="{len(merges)}">'
            + "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
            + "</mergeCells>"
        )
        if merges
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{_MAIN}">{dimension}<sheetData>{body}</sheetData>{merged}</worksheet>'
    )


def write_raw_xlsx(path: Path, sheets: dict[str, str], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """An xlsx from raw worksheet XML per sheet name: the reader sees exactly these bytes."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        f'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        "<sheets>"
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, start=1)
        )
        + "</sheets></workbook>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Relationships>"
    )
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(overrides=overrides))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        for i, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return path


def far_cell_xlsx(path: Path, far: str = "XFD1048576") -> Path:
    """One header cell at A1 and one cell at the far corner: a 2 KB file declaring 17 billion cells."""
    row = int("".join(ch for ch in far if ch.isdigit()))
    return write_raw_xlsx(path, {"成员": sheet_xml({1: {"A1": "群编号", "B1": "人员编号"}, row: {far: "x"}})})


def zip_bomb_xlsx(path: Path, megabytes: int = 40) -> Path:
    """A worksheet padded with megabytes of spaces: tiny compressed, vast uncompressed."""
    padding = " " * (megabytes << 20)
    xml = sheet_xml({1: {"A1": "群编号", "B1": "人员编号"}}).replace("<sheetData>", padding + "<sheetData>")
    return write_raw_xlsx(path, {"成员": xml})


def doctype_xlsx(path: Path) -> Path:
    """Billion laughs: entities that expand to gigabytes in a parser that honours them."""
    prolog = (
        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
        + "]>"
    )
    xml = sheet_xml({1: {"A1": "群编号", "B1": "人员编号"}, 2: {"A2": "&j;", "B2": "P1"}}, prolog=prolog)
    return write_raw_xlsx(path, {"成员": xml.replace("&amp;j;", "&j;")})


def deep_xlsx(path: Path, depth: int = 20_000) -> Path:
    """A very deep stack of foreign elements after the cells (names vary so the zip does not shrink it)."""
    import random

    xml = sheet_xml({1: {"A1": "群编号", "B1": "人员编号"}, 2: {"A2": "G1", "B2": "P1"}})
    names = [f"x:e{random.Random(i).getrandbits(40):x}" for i in range(depth)]
    nest = '<x:d xmlns:x="urn:x">' + "".join(f"<{n}>" for n in names) + "".join(f"</{n}>" for n in reversed(names))
    nest += "</x:d>"
    return write_raw_xlsx(path, {"成员": xml.replace("</sheetData>", "</sheetData>" + nest)})


def many_sheets_xlsx(path: Path, count: int) -> Path:
    return write_raw_xlsx(path, {f"S{i}": sheet_xml({1: {"A1": "群编号", "B1": "人员编号"}}) for i in range(count)})


_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def write_raw_ods(path: Path, table_body: str, name: str = "成员") -> Path:
    """An ods whose one table holds the given raw rows."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(name)}">{table_body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return path


def ods_cell(text: str, columns: int = 1) -> str:
    repeat = f' table:number-columns-repeated="{columns}"' if columns > 1 else ""
    return f'<table:table-cell office:value-type="string"{repeat}><text:p>{escape(text)}</text:p></table:table-cell>'


def repeat_bomb_ods(path: Path) -> Path:
    """A value repeated over every column of a million repeated rows: a few hundred bytes, 17 billion cells."""
    header = f"<table:table-row>{ods_cell('群编号')}{ods_cell('人员编号')}</table:table-row>"
    bomb = f'<table:table-row table:number-rows-repeated="1048575">{ods_cell("x", 16384)}</table:table-row>'
    return write_raw_ods(path, header + bomb)


def far_cell_ods(path: Path) -> Path:
    """Empty repeated rows and cells (as LibreOffice writes them) up to one value at the far corner."""
    header = f"<table:table-row>{ods_cell('群编号')}{ods_cell('人员编号')}</table:table-row>"
    gap = '<table:table-row table:number-rows-repeated="1048574"><table:table-cell/></table:table-row>'
    far = f'<table:table-row><table:table-cell table:number-columns-repeated="16383"/>{ods_cell("x")}</table:table-row>'
    return write_raw_ods(path, header + gap + far)


def far_cell_xls(path: Path) -> Path:
    """An xls written by xlwt whose last NUMBER record is moved to row 65535, column 65535 (BIFF allows 256)."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("成员")
    sheet.write(0, 0, "群编号")
    sheet.write(0, 1, "人员编号")
    sheet.write(1, 0, 12345.678901)
    book.save(str(path))
    data = bytearray(path.read_bytes())
    # NUMBER record: type 0x0203, length 14, then row, column, format index, IEEE double.
    marker = struct.pack("<HHHH", 0x0203, 14, 1, 0)
    at = data.index(marker)
    data[at + 4 : at + 8] = struct.pack("<HH", 65535, 65535)
    path.write_bytes(bytes(data))
    return path


def wide_merge_xlsx(path: Path) -> Path:
    """Two data rows under a merged range that claims the whole sheet."""
    rows = {1: {"A1": "群编号", "B1": "人员编号"}, 2: {"A2": "G1", "B2": "P1"}, 3: {"A3": "G1", "B3": "P2"}}
    return write_raw_xlsx(path, {"成员": sheet_xml(rows, merges=["C1:XFD1048576"])})


def long_line_csv(path: Path, megabytes: int = 64) -> Path:
    """A header, then one line of megabytes without a line break."""
    with path.open("w", encoding="utf-8") as handle:
        handle.write("群编号,人员编号\n")
        chunk = "G" * (1 << 20)
        for _ in range(megabytes):
            handle.write(chunk)
    return path


def future_zip_version(path: Path, source: Path) -> Path:
    """A copy of a zip whose central directory claims every member needs zip version 18.4 to extract."""
    data = bytearray(source.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 6 : at + 8] = (184).to_bytes(2, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path
