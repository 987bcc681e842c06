"""Spreadsheet and CSV readers yielding raw rows with the row numbers a person sees (1-based)."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from jianfu.ingest.limits import MAX_CSV_LINE, MAX_SHEET_AREA, LimitExceeded, check_workbook

log = logging.getLogger("jianfu.import")

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES | CSV_SUFFIXES


class UnreadableFile(Exception):
    """The file cannot be opened as a spreadsheet or text table; the message is for the user (Chinese)."""


@dataclass
class RawSheet:
    name: str
    # (row number as the spreadsheet shows it, cell values)
    rows: Iterator[tuple[int, list]]


def read_sheets(path: Path) -> Iterator[RawSheet]:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        yield RawSheet("", _csv_rows(path))
    elif suffix in SPREADSHEET_SUFFIXES:
        try:
            check_workbook(path)
        except LimitExceeded as exc:
            raise UnreadableFile(str(exc)) from exc
        with _calamine_failures("无法打开表格文件（文件损坏或不是所示的格式）", path):
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            names = workbook.sheet_names
        for name in names:
            with _calamine_failures(f"无法读取工作表「{name}」（内容损坏）", path):
                sheet = workbook.get_sheet_by_name(name)
            yield RawSheet(name, _spreadsheet_rows(sheet, path))
    else:
        raise UnreadableFile(f"不支持的文件类型「{suffix or '无扩展名'}」，应为 .xlsx、.xls、.ods 或 .csv")


@contextmanager
def _calamine_failures(message: str, path: Path) -> Iterator[None]:
    """calamine's errors, and its panics on damaged files (a BaseException), as one message for the user."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, UnreadableFile):
        raise
    except BaseException as exc:  # noqa: BLE001 - pyo3's PanicException derives from BaseException
        log.info("calamine could not read %s: %s: %s", path, type(exc).__name__, exc)
        raise UnreadableFile(message) from None


def _spreadsheet_rows(sheet, path: Path) -> Iterator[tuple[int, list]]:
    with _calamine_failures(f"无法读取工作表「{sheet.name}」（内容损坏）", path):
        yield from _merged_rows(sheet)


def _merged_rows(sheet) -> Iterator[tuple[int, list]]:
    # Merged cells carry their value only in the top-left cell; spread it over the whole range so a
    # unit written once for a block of rows applies to each of them.
    fills_by_start = _merged_fills(sheet)
    active: list[tuple[int, int, int, object]] = []  # (last row, first col, last col, value)
    for index, row in enumerate(sheet.iter_rows()):
        if index in fills_by_start:
            for _first_row, c0, r1, c1 in fills_by_start[index]:
                value = row[c0] if c0 < len(row) else ""
                active.append((r1, c0, c1, value))
        if active:
            row = list(row)
            for _last_row, c0, c1, value in active:
                if len(row) <= c1:
                    row.extend([""] * (c1 + 1 - len(row)))
                for col in range(c0, c1 + 1):
                    if row[col] == "" or row[col] is None:
                        row[col] = value
            active = [a for a in active if a[0] > index]
        elif row.count("") == len(row):
            continue  # an empty row, skipped at C speed: a sparse sheet may have a million of them
        yield index + 1, row


def _merged_fills(sheet) -> dict[int, list[tuple[int, int, int, int]]]:
    """Merged ranges by first row, clipped to the cells that are there; refused if filling them would be vast."""
    last_row, last_column = sheet.height - 1, sheet.width - 1
    fills_by_start: dict[int, list[tuple[int, int, int, int]]] = {}
    area = 0
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        r1, c1 = min(r1, last_row), min(c1, last_column)
        if (r0, c0) == (r1, c1) or r1 < r0 or c1 < c0:
            continue
        area += (r1 - r0 + 1) * (c1 - c0 + 1)
        if area > MAX_SHEET_AREA:
            raise UnreadableFile(
                f"工作表「{sheet.name}」的合并单元格合计超过 {MAX_SHEET_AREA} 个单元格；应取消多余的合并后另存再导入"
            )
        fills_by_start.setdefault(r0, []).append((r0, c0, r1, c1))
    return fills_by_start


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such, else GB18030 (a superset of GBK and GB2312)."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is not evidence against UTF-8.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
        return "gb18030"


def _csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    with path.open("rb") as raw:
        head = raw.read(1 << 20)
    encoding = detect_encoding(head)
    sample = head.decode(encoding, errors="ignore")[:65536]
    delimiter = (
        "\t" if path.suffix.lower() == ".tsv" or (sample.count("\t") > sample.count(",") and "\t" in sample) else ","
    )
    with path.open("r", encoding=encoding, newline="") as handle:
        reader = csv.reader(_bounded_lines(handle), delimiter=delimiter)
        # Rows are counted as records, the way a spreadsheet program numbers them (a quoted line break stays in its row).
        number = 0
        try:
            for number, row in enumerate(reader, start=1):
                yield number, row
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"第 {number + 1} 行附近的文字编码无法识别（按 {encoding} 读取失败）") from exc
        except csv.Error as exc:
            raise UnreadableFile(f"第 {number + 1} 行 CSV 格式错误：{exc}") from exc


def _bounded_lines(handle) -> Iterator[str]:
    """Physical lines of at most MAX_CSV_LINE characters, so one line without a break cannot fill the memory."""
    number = 0
    while line := handle.readline(MAX_CSV_LINE + 1):
        number += 1
        if len(line) > MAX_CSV_LINE:
            raise UnreadableFile(f"第 {number} 行超过 {MAX_CSV_LINE} 个字符，不像表格数据（应为每行一条记录的 CSV）")
        yield line


def file_sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["RawSheet", "UnreadableFile", "read_sheets", "detect_encoding", "file_sha256", "SUPPORTED_SUFFIXES"]
