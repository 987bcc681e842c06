"""Bounds on what one file may make the readers allocate, checked from the file's structure before it is read.

calamine turns every sheet into a dense rectangle spanning its first to its last cell, so a 5 KB file with one
cell at A1 and one at XFD1048576 would ask for 17 billion cells. These checks read the zip directory, the sheet
XML (streamed) or the BIFF records, and refuse, with a message for the user, a file whose rectangle is vast
while its cells are few, or that is a decompression bomb, or that is absurd in size.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.parsers import expat

MAX_ROWS = 1_048_576  # Excel's own limits
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
MAX_SHEETS = 64
MAX_CELLS = 16_777_216  # cells holding something, in the whole workbook
MAX_SHEET_AREA = 16_777_216  # rows × columns calamine allocates for one sheet (about 32 bytes each)
MAX_WORKBOOK_AREA = 2 * MAX_SHEET_AREA  # recognised sheets stay open together while their headers are matched
AREA_FLOOR = 1_048_576  # any sheet may span this many cells, however empty
AREA_PER_CELL = 20  # beyond the floor, the span may be at most this many times the cells really there
MAX_ZIP_MEMBERS = 10_000
MAX_UNCOMPRESSED = 512 << 20  # all members of a zip together, as the zip directory declares them
MAX_RATIO = 100  # uncompressed / compressed size of one member
RATIO_FLOOR = 1 << 20  # members smaller than this may compress as well as they like
MAX_XML_DEPTH = 100
MAX_CSV_LINE = 1 << 20  # characters in one physical line of a CSV file
_CHUNK = 1 << 20
_TAIL = 32


class LimitExceeded(Exception):
    """The file's structure is outside the bounds; the message is for the user (Chinese)."""


@dataclass
class SheetExtent:
    """What a sheet really holds: the cells with something in them and the rectangle calamine would allocate."""

    name: str
    cells: int = 0
    rows: int = 0  # 1-based index of the last row holding a cell
    columns: int = 0

    @property
    def area(self) -> int:
        return self.rows * self.columns


def column_letters(number: int) -> str:
    """1 → A, 16384 → XFD."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_number(letters: bytes | str) -> int:
    number = 0
    for char in letters if isinstance(letters, str) else letters.decode("ascii"):
        number = number * 26 + ord(char.upper()) - 64
    return number


def allowed_area(cells: int) -> int:
    """The largest rectangle a sheet holding this many cells may span."""
    return min(MAX_SHEET_AREA, max(AREA_FLOOR, cells * AREA_PER_CELL))


def check_extents(extents: list[SheetExtent]) -> None:
    """Refuse a workbook whose sheets would make the reader allocate far more than the cells that are there."""
    if len(extents) > MAX_SHEETS:
        raise LimitExceeded(f"工作簿有 {len(extents)} 个工作表，超过上限 {MAX_SHEETS} 个；请只保留要导入的工作表")
    for extent in extents:
        where = f"工作表「{extent.name}」"
        if extent.cells > MAX_CELLS:
            raise LimitExceeded(
                f"{where}有 {extent.cells} 个有内容的单元格，超过上限 {MAX_CELLS} 个；请拆分为多个文件导入"
            )
        if extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS:
            raise LimitExceeded(
                f"{where}声明的位置超出表格上限（第 {extent.rows} 行、第 {extent.columns} 列；"
                f"应不超过 {MAX_ROWS} 行、{MAX_COLUMNS} 列）"
            )
        allowed = allowed_area(extent.cells)
        if extent.area > allowed:
            raise LimitExceeded(
                f"{where}的已用区域达 {extent.rows} 行 × {extent.columns} 列（到 {column_letters(extent.columns)}"
                f"{extent.rows}），而有内容的单元格只有 {extent.cells} 个；应删除区域外多余的内容或格式后另存再导入"
                f"（区域不超过 {allowed} 个单元格）"
            )
    cells = sum(e.cells for e in extents)
    if cells > MAX_CELLS:
        raise LimitExceeded(f"工作簿共有 {cells} 个有内容的单元格，超过上限 {MAX_CELLS} 个；请拆分为多个文件导入")
    area = sum(e.area for e in extents)
    if area > MAX_WORKBOOK_AREA:
        raise LimitExceeded(
            f"工作簿各工作表的已用区域合计 {area} 个单元格，超过上限 {MAX_WORKBOOK_AREA} 个；请拆分为多个文件导入"
        )


def check_workbook(path: Path) -> None:
    """Raise LimitExceeded when the spreadsheet is outside the bounds, or too damaged to measure safely."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        with _open_zip(path) as archive:
            check_extents(_xlsx_extents(archive))
    elif suffix == ".ods":
        with _open_zip(path) as archive:
            check_extents(_ods_extents(archive))
    elif suffix == ".xls":
        check_extents(_xls_extents(path))


# -- zip containers ---------------------------------------------------------------------------------------


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except Exception:  # noqa: BLE001 - zipfile raises BadZipFile, NotImplementedError, struct.error … on damage
        raise LimitExceeded("不是有效的表格文件（zip 结构损坏）") from None
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        archive.close()
        raise LimitExceeded(f"表格文件内含 {len(members)} 个部件，超过上限 {MAX_ZIP_MEMBERS} 个")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        archive.close()
        raise LimitExceeded(
            f"表格文件解压后达 {total >> 20} MB，超过上限 {MAX_UNCOMPRESSED >> 20} MB；请拆分为多个文件导入"
        )
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            archive.close()
            raise LimitExceeded(
                f"表格文件的部件「{member.filename}」压缩比异常（{member.compress_size} 字节解压为 "
                f"{member.file_size} 字节，超过 {MAX_RATIO} 倍），疑似压缩炸弹"
            )
    return archive


def _chunks(archive: zipfile.ZipFile, name: str):
    """The member's bytes in chunks, each prefixed with the tail of the one before so no token is cut in two."""
    tail = b""
    try:
        with archive.open(name) as handle:
            while chunk := handle.read(_CHUNK):
                window = tail + chunk
                if b"<!" in window and (b"<!DOCTYPE" in window or b"<!ENTITY" in window):
                    raise LimitExceeded(f"表格文件的部件「{name}」含有 DTD 声明，表格文件不应包含")
                yield tail, window
                tail = chunk[-_TAIL:]
    except LimitExceeded:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and zlib raise many types on a damaged member
        raise LimitExceeded(f"表格文件的部件「{name}」损坏（{type(exc).__name__}）") from None


_XLSX_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_XLSX_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_XLSX_PREFIXED = re.compile(rb":(?:c|row|worksheet|sheetData)[\s>/]")
_XLSX_UNUSUAL = re.compile(rb"<(?:c[>/]|[A-Za-z_][\w.-]*:(?:c|row|worksheet|sheetData)[\s>/])")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>")
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*>")
_ATTRIBUTE = re.compile(rb"""\s([\w:.-]+)\s*=\s*["']([^"']*)["']""")


def _xlsx_sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet XML member → the sheet's name as the workbook shows it."""
    names = set(archive.namelist())
    found = {n: PurePosixPath(n).stem for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    labels = {
        attributes.get(b"id", b""): attributes.get(b"name", b"").decode("utf-8", "replace")
        for attributes in _elements(archive, "xl/workbook.xml", _SHEET)
    }
    for attributes in _elements(archive, "xl/_rels/workbook.xml.rels", _RELATIONSHIP):
        if not attributes.get(b"Type", b"").endswith((b"/worksheet", b"/dialogsheet", b"/chartsheet")):
            continue
        target = attributes.get(b"Target", b"").decode("utf-8", "replace")
        resolved = _normalise_member(target if target.startswith("/") else f"xl/{target}")
        found[resolved] = labels.get(attributes.get(b"Id", b"")) or PurePosixPath(resolved).stem
    return {n: label for n, label in sorted(found.items()) if n in names}


def _elements(archive: zipfile.ZipFile, name: str, pattern: re.Pattern) -> list[dict[bytes, bytes]]:
    """Attributes (local names) of the elements matching pattern in a small member, or none if it is absent."""
    if name not in archive.namelist() or archive.getinfo(name).file_size > 16 << 20:
        return []
    text = b"".join(window[len(tail) :] for tail, window in _chunks(archive, name))
    return [
        {key.split(b":")[-1]: value for key, value in _ATTRIBUTE.findall(element)} for element in pattern.findall(text)
    ]


def _normalise_member(name: str) -> str:
    parts: list[str] = []
    for part in name.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _xlsx_extents(archive: zipfile.ZipFile) -> list[SheetExtent]:
    return [_xlsx_extent(archive, name, label) for name, label in _xlsx_sheet_members(archive).items()]


def _xlsx_extent(archive: zipfile.ZipFile, name: str, label: str) -> SheetExtent:
    """The declared dimension checked by one search; else every reference read; else a walk with expat."""
    return (
        _declared_extent(archive, name, label)
        or _referenced_extent(archive, name, label)
        or _xml_extent(archive, name, _XlsxCells(label))
    )


def _plain_cells(tail: bytes, window: bytes) -> int | None:
    """Cells in the window less its tail (a token cut by a chunk boundary counts once), None if any is unusual.

    Usual is what Excel, LibreOffice, openpyxl and XlsxWriter write: no namespace prefix, `r` first. A cell
    with `r` elsewhere is caught when the totals of `<c ` and `<c r="` differ at the end.
    """
    if _XLSX_UNUSUAL.search(window):
        return None
    return window.count(b"<c ") - tail.count(b"<c ")


def _declared_extent(archive: zipfile.ZipFile, name: str, label: str) -> SheetExtent | None:
    """The `<dimension>` Excel writes, if one search finds no cell outside it or written oddly."""
    extent: SheetExtent | None = None
    outside: re.Pattern = _XLSX_PREFIXED  # replaced by the real bounds as soon as the extent is known
    for tail, window in _chunks(archive, name):
        if extent is None:
            declared = _DIMENSION.search(window)
            if declared is None:
                return None
            extent = SheetExtent(
                label,
                0,
                int(declared.group(4) or declared.group(2)),
                column_number(declared.group(3) or declared.group(1)),
            )
            outside = _outside(extent.columns, extent.rows)
        # A hit in the last bytes may be a reference cut short: the next window, which starts with them, decides.
        for pattern in (outside, _XLSX_PREFIXED):
            hit = pattern.search(window)
            if hit and hit.start() < len(window) - _TAIL:
                return None
        extent.cells += window.count(b"<c ") - tail.count(b"<c ")
        last = window[-_TAIL:]
    if extent is None or outside.search(last) or _XLSX_PREFIXED.search(last):
        return None
    if extent.area > allowed_area(extent.cells):
        return None  # Excel keeps a stale, larger dimension after rows are deleted: measure the cells instead
    return extent


def _referenced_extent(archive: zipfile.ZipFile, name: str, label: str) -> SheetExtent | None:
    """The largest row and column of every `<c r="…">`, or None when a cell is written another way."""
    extent = SheetExtent(label)
    max_row, max_letters, ref_count = 0, b"", 0
    for tail, window in _chunks(archive, name):
        cells = _plain_cells(tail, window)
        if cells is None:
            return None
        extent.cells += cells
        rows = _XLSX_CELL_ROW.findall(window)
        ref_count += len(rows) - len(_XLSX_CELL_ROW.findall(tail))
        if rows:
            max_row = max(max_row, max(map(int, rows)))
            max_letters = max({max_letters, *_XLSX_CELL_COLUMN.findall(window)}, key=lambda text: (len(text), text))
    if ref_count != extent.cells:  # a reference beyond XFD or row 9,999,999, or not a reference at all
        return None
    extent.rows, extent.columns = max_row, column_number(max_letters) if max_letters else 0
    return extent


def _outside(columns: int, rows: int) -> re.Pattern:
    """Matches, in one pass, a cell beyond the column and row given, or any cell not written the usual way."""
    column_after = _sorting_after(column_letters(max(columns, 1)), "Z", "[A-Z]")
    row_after = _sorting_after(str(max(rows, 1)), "9", "[0-9]")
    # Literal "<c" first, so the search skips from cell to cell (prefixed tags are _XLSX_PREFIXED's to find).
    beyond = f'r="(?:(?![A-Z]{{1,3}}[1-9][0-9]{{0,6}}")|(?:{column_after})[0-9]|[A-Z]{{1,3}}(?:{row_after})")'
    return re.compile(f'<c(?:[>/]| (?!r=")| {beyond})'.encode())


def _sorting_after(text: str, highest: str, any_char: str) -> str:
    """A regex for the strings of text's alphabet (no leading zeros) that are longer or sort after it."""
    choices = [f"{any_char}{{{len(text) + 1},}}"]
    for index, char in enumerate(text):
        if char != highest:
            rest = len(text) - index - 1
            tail = f"{any_char}{{{rest}}}" if rest else ""
            choices.append(text[:index] + f"[{chr(ord(char) + 1)}-{highest}]" + tail)
    return "|".join(choices)


def _xml_extent(archive: zipfile.ZipFile, name: str, visitor: _CellVisitor) -> SheetExtent:
    """Walk the member with expat (no DTD, bounded depth), letting the visitor place each cell."""
    parser = expat.ParserCreate(namespace_separator=" ")
    depth = 0

    def start(tag: str, attributes: dict) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise LimitExceeded(f"表格文件的部件「{name}」嵌套超过 {MAX_XML_DEPTH} 层")
        visitor.start(tag.rsplit(" ", 1)[-1], {k.rsplit(" ", 1)[-1]: v for k, v in attributes.items()})

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        visitor.end(tag.rsplit(" ", 1)[-1])

    def refuse_doctype(*_args) -> None:
        raise LimitExceeded(f"表格文件的部件「{name}」含有 DTD 声明，表格文件不应包含")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    try:
        for tail, window in _chunks(archive, name):
            parser.Parse(window[len(tail) :], False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        pass  # malformed XML: the reader reports it; what was seen so far is still bounded below
    return visitor.extents[0] if len(visitor.extents) == 1 else visitor.merged(PurePosixPath(name).stem)


class _CellVisitor:
    """Tracks the extent of the sheets in one XML member from its elements."""

    def __init__(self, name: str):
        self.extents = [SheetExtent(name)]

    @property
    def current(self) -> SheetExtent:
        return self.extents[-1]

    def place(self, row: int, column: int, repeat_rows: int = 1, repeat_columns: int = 1) -> None:
        self.current.cells += repeat_rows * repeat_columns
        self.current.rows = max(self.current.rows, row + repeat_rows - 1)
        self.current.columns = max(self.current.columns, column + repeat_columns - 1)

    def merged(self, name: str) -> SheetExtent:
        return SheetExtent(
            name,
            sum(e.cells for e in self.extents),
            max(e.rows for e in self.extents),
            max(e.columns for e in self.extents),
        )

    def start(self, tag: str, attributes: dict) -> None:
        raise NotImplementedError

    def end(self, tag: str) -> None:
        pass


_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?([0-9]{1,9})$")


class _XlsxCells(_CellVisitor):
    """SpreadsheetML: a cell's place is its r attribute, or the one after the previous cell of its row."""

    def __init__(self, name: str):
        super().__init__(name)
        self.row = 0
        self.column = 0

    def start(self, tag: str, attributes: dict) -> None:
        if tag == "row":
            self.row = _positive(attributes.get("r"), self.row + 1)
            self.column = 0
        elif tag == "c":
            match = _REF.match(attributes.get("r", ""))
            if match:
                self.column, self.row = column_number(match.group(1)), int(match.group(2))
            else:
                self.column += 1
            self.place(max(self.row, 1), self.column)


def _positive(text: str | None, default: int) -> int:
    try:
        return max(int(text), 1) if text is not None else default
    except ValueError:
        return default


class _OdsCells(_CellVisitor):
    """OpenDocument: rows and cells carry repeat counts; only a cell with a value type or content counts."""

    def __init__(self, name: str):
        super().__init__(name)
        self.tables = 0
        self.row = 0
        self.row_repeat = 1
        self.column = 0
        self.pending: tuple[int, int] | None = None  # (column, repeat) of an open cell that has no value type

    def start(self, tag: str, attributes: dict) -> None:
        if tag == "table":
            self.tables += 1
            self.extents.append(SheetExtent(attributes.get("name", str(self.tables))))
            if self.tables == 1:
                self.extents.pop(0)
            self.row = 0
        elif tag == "table-row":
            self.row_repeat = _positive(attributes.get("number-rows-repeated"), 1)
            self.row += 1
            self.column = 0
        elif tag in ("table-cell", "covered-table-cell"):
            repeat = _positive(attributes.get("number-columns-repeated"), 1)
            first = self.column + 1
            self.column += repeat
            if "value-type" in attributes:
                self.place(self.row, first, self.row_repeat, repeat)
            else:
                self.pending = (first, repeat)
        elif self.pending is not None:  # content (text:p …) inside a cell without a value type
            first, repeat = self.pending
            self.place(self.row, first, self.row_repeat, repeat)
            self.pending = None

    def end(self, tag: str) -> None:
        if tag == "table-row":
            self.row += self.row_repeat - 1
        elif tag in ("table-cell", "covered-table-cell"):
            self.pending = None


def _ods_extents(archive: zipfile.ZipFile) -> list[SheetExtent]:
    if "content.xml" not in archive.namelist():
        return []
    visitor = _OdsCells("")
    _xml_extent(archive, "content.xml", visitor)
    return [e for e in visitor.extents if e.name or e.cells]


# -- xls (BIFF in an OLE2 compound file) -------------------------------------------------------------------

_BIFF_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6, 0x0201, 0x0004, 0x0003, 0x0002, 0x0005}
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column
_BIFF_BOF, _BIFF_EOF, _BIFF_SHEET, _BIFF_DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x0200


def _xls_extents(path: Path) -> list[SheetExtent]:
    import olefile

    # What olefile cannot read is refused rather than handed to calamine, which trusts the sizes it finds.
    damaged = LimitExceeded("不是有效的 xls 文件（OLE2 复合文档结构损坏）")
    try:
        if not olefile.isOleFile(str(path)):
            raise damaged
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if stream is None:
                raise damaged
            data = ole.openstream(stream).read()
    except LimitExceeded:
        raise
    except Exception:  # noqa: BLE001 - olefile raises many private types on a damaged container
        raise damaged from None
    return _biff_extents(data)


def _biff_extents(data: bytes) -> list[SheetExtent]:
    names: list[str] = []
    extents: list[SheetExtent] = []
    current: SheetExtent | None = None
    offset = 0
    while offset + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, offset)
        body = data[offset + 4 : offset + 4 + length]
        offset += 4 + length
        if kind == _BIFF_SHEET:
            names.append(_biff_sheet_name(body) or str(len(names) + 1))
        elif kind == _BIFF_BOF and names:
            current = SheetExtent(names[len(extents)] if len(extents) < len(names) else str(len(extents) + 1))
            extents.append(current)
        elif kind == _BIFF_EOF:
            current = None
        elif current is not None and kind == _BIFF_DIMENSIONS:
            # calamine reserves memory for the declared rectangle before it reads a cell.
            layout = "<IIHH" if len(body) >= 14 else "<HHHH" if len(body) >= 8 else None
            if layout:
                first_row, last_row, first_column, last_column = struct.unpack_from(layout, body)
                if first_row > last_row or first_column > last_column:  # calamine's subtraction would wrap
                    raise LimitExceeded(
                        f"工作表「{current.name}」的区域声明（DIMENSIONS 记录）首行或首列在末行、末列之后，文件已损坏"
                    )
                current.rows, current.columns = max(current.rows, last_row), max(current.columns, last_column)
        elif current is not None and kind in _BIFF_CELLS and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body)
            _place(current, row + 1, column + 1, 1)
        elif current is not None and kind in _BIFF_MULTI and len(body) >= 6:
            row, first = struct.unpack_from("<HH", body)
            (last,) = struct.unpack_from("<H", body, len(body) - 2)
            _place(current, row + 1, first + 1, max(last - first + 1, 1))
    if len(names) > MAX_SHEETS:
        raise LimitExceeded(f"工作簿有 {len(names)} 个工作表，超过上限 {MAX_SHEETS} 个；请只保留要导入的工作表")
    return extents


def _biff_sheet_name(body: bytes) -> str:
    """BOUNDSHEET (BIFF8): stream offset, visibility, type, then a short string with a compression flag."""
    if len(body) < 8:
        return ""
    length, wide = body[6], body[7] & 1
    raw = body[8 : 8 + length * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _place(extent: SheetExtent, row: int, column: int, count: int) -> None:
    extent.cells += count
    extent.rows = max(extent.rows, row)
    extent.columns = max(extent.columns, column + count - 1)


__all__ = ["LimitExceeded", "SheetExtent", "check_workbook", "check_extents", "MAX_CELL_CHARS", "MAX_CSV_LINE"]
