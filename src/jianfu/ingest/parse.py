"""Find the header row and the kind of each sheet, then turn data rows into typed records or cell errors."""

from __future__ import annotations

import re

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from jianfu.ingest import values
from jianfu.ingest.errors import CellError, Problem
from jianfu.ingest.limits import MAX_CELL_CHARS
from jianfu.ingest.readers import UnreadableFile, read_sheets
from jianfu.ingest.schema import KIND_ALIASES, KINDS, Kind
from jianfu.textnorm import normalize_header, normalize_text
from jianfu.xlsx import unescape_formula

HEADER_SEARCH_ROWS = 30
_HEADER_CHARS = 200
MAX_REPORTED_ERRORS = 1000
_NOTE_PREFIXES = (
    "注",
    "备注",
    "说明",
    "填表",
    "制表",
    "审核",
    "负责人",
    "联系",
    "合计",
    "总计",
    "小计",
    "数据来源",
    "填报人",
    "单位负责人",
    "统计人",
    "报送",
    "签字",
    "盖章",
    "note",
)


@dataclass
class HeaderMatch:
    kind: Kind
    row_number: int
    # field → (column index, header as written)
    columns: dict[str, tuple[int, str]]
    ignored: list[str]


def match_header(cells: list, kinds: list[Kind]) -> HeaderMatch | None:
    """The best kind whose required columns all appear in this row, or None."""
    # A header is a few words: a long cell (a title, a note, or a hostile megabyte) is not normalised.
    keys = [normalize_header(c) if not values.is_blank(c) and len(str(c)) <= _HEADER_CHARS else "" for c in cells]
    best: tuple[tuple, HeaderMatch] | None = None
    for kind in kinds:
        found: dict[str, tuple[int, str]] = {}
        for column in kind.columns:
            accepted = column.header_keys()
            for index, key in enumerate(keys):
                if key and key in accepted and index not in {i for i, _ in found.values()}:
                    found[column.field] = (index, str(cells[index]).strip())
                    break
        if not any(required <= found.keys() for required in kind.required_sets):
            continue
        ignored = [str(cells[i]).strip() for i, k in enumerate(keys) if k and i not in {i for i, _ in found.values()}]
        rank = (len(found), len(found) / len(kind.columns))
        if best is None or rank > best[0]:
            best = (rank, HeaderMatch(kind, 0, found, ignored))
    return best[1] if best else None


_CJK = re.compile(r"[\u4e00-\u9fff]")


def source_level_word(raw: object) -> str:
    """The level as the source wrote it, when it is a Chinese word (乡镇（街道） → 乡镇（街道）); '' otherwise."""
    word = normalize_text(raw).replace("(", "（").replace(")", "）")
    return word[:20] if _CJK.search(word) else ""


@dataclass
class ParsedSheet:
    """A sheet whose header was recognised; iterate `records()` once to read its typed rows."""

    file_name: str
    sheet_name: str
    header: HeaderMatch
    _rows: Iterator[tuple[int, list]]
    errors: list[CellError] = field(default_factory=list)
    error_total: int = 0
    # Data rows refused for bad cells: records() does not yield them, but they are rows of the file.
    refused_rows: int = 0

    @property
    def kind(self) -> Kind:
        return self.header.kind

    def error(self, row: int | None, header: str, raw: object, expected: str | ValueError, type_: str = "text") -> None:
        self.error_total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(
                CellError(
                    self.file_name,
                    self.sheet_name,
                    row,
                    header,
                    values.display_value(raw, type_),
                    expected if isinstance(expected, Problem) else str(expected),
                )
            )

    def records(self) -> Iterator[tuple[int, dict]]:
        """Typed records by row number; bad cells are reported to `errors` and their rows are not yielded."""
        try:
            yield from self._typed_records()
        except UnreadableFile as exc:  # damage met past the header (a CSV line, merged cells): the sheet is refused
            self.error(None, "", "", str(exc))

    def _typed_records(self) -> Iterator[tuple[int, dict]]:
        plan = [
            (f, self.kind.column(f), index, written, values.PARSERS[self.kind.column(f).type])
            for f, (index, written) in self.header.columns.items()
        ]
        header_cells = {index: written for _, _, index, written, _ in plan}
        width = max(index for _, _, index, _, _ in plan) + 1
        check = _ROW_CHECKS.get(self.kind.name)
        is_blank = values.is_blank
        for number, cells in self._rows:
            if len(cells) < width:
                cells = list(cells) + [""] * (width - len(cells))
            record: dict = {}
            problems: list[tuple[str, object, str | ValueError, str]] = []
            for name, column, index, written, parse in plan:
                raw = cells[index]
                if raw.__class__ is str and raw:
                    if len(raw) > MAX_CELL_CHARS:
                        problems.append(
                            (
                                written,
                                raw,
                                Problem("内容超过 %(limit)d 个字符（表格单元格的上限）", limit=MAX_CELL_CHARS),
                                "text",
                            )
                        )
                        continue
                    if raw[0] == "'":
                        raw = unescape_formula(raw)
                if raw == "" or raw is None or is_blank(raw):
                    if column.required:
                        problems.append((written, raw, "必填，不能为空", column.type))
                    record[name] = [] if column.type == "multi" else None
                    continue
                try:
                    record[name] = parse(raw)
                except ValueError as exc:
                    problems.append((written, raw, exc, column.type))
                    continue
                if column.type == "level":
                    # Keep the source's own word (镇 is not 乡) for display beside the normalised level.
                    record[f"{name}_word"] = source_level_word(raw)
            if problems:
                # Only a row that would be rejected is looked at as a possible blank, note or repeated header.
                if self._skippable(cells, header_cells):
                    continue
                for written, raw, expected, type_ in problems:
                    self.error(number, written, raw, expected, type_)
                self.refused_rows += 1
                continue
            if check is not None:
                problem = check(record)
                if problem:
                    column_field, expected = problem
                    written = self.header.columns.get(column_field, (0, column_field))[1]
                    self.error(number, written, record.get(column_field) or "", expected)
                    self.refused_rows += 1
                    continue
            yield number, record

    @staticmethod
    def _skippable(cells: list, header_cells: dict[int, str]) -> bool:
        filled = [c for c in cells if not values.is_blank(c)]
        if not filled:
            return True
        # Notes under the data ("注：……", "填表人：……") sit in one or two cells, whatever column they start in.
        if len(filled) <= 2 and isinstance(filled[0], str):
            if normalize_text(filled[0]).lower().startswith(_NOTE_PREFIXES):
                return True
        # A header repeated on each printed page.
        return all(isinstance(cells[i], str) and cells[i].strip() == written for i, written in header_cells.items())


def _check_member(record: dict) -> tuple[str, str] | None:
    if record.get("person_code") or (record.get("name") and record.get("phone")):
        return None
    return ("person_code", "应填写人员编号，或同时填写姓名和手机号")


def _check_group(record: dict) -> tuple[str, str] | None:
    if record.get("nature") is None:
        record["nature"] = "temporary" if record.get("task_end_date") else "standing"
    return _check_status(record)


def _check_status(record: dict) -> tuple[str, str] | None:
    """状态 and 注销日期 agree: a date implies a cancelled carrier unless 状态 says otherwise; 在用 has no date."""
    if "status" not in record and "status_date" not in record:
        return None
    status, day = record.get("status"), record.get("status_date")
    if status is None:
        record["status"] = "cancelled" if day else "active"
    elif status == "active" and day:
        return ("status_date", "状态为在用时不应填写注销日期")
    return None


_ROW_CHECKS = {
    "members": _check_member,
    "groups": _check_group,
    "apps": _check_status,
    "accounts": _check_status,
    "forms": _check_status,
}


@dataclass
class Inventory:
    """One file: its recognised sheets, or the reason it cannot be read at all."""

    path: Path
    sheets: list[ParsedSheet]
    file_errors: list[CellError]
    skipped_sheets: list[str]

    @property
    def kind(self) -> str | None:
        return self.sheets[0].kind.name if self.sheets else None


def resolve_kind(name: str | None) -> str | None:
    if not name:
        return None
    key = KIND_ALIASES.get(name.lower(), name.lower())
    if key not in KINDS:
        raise ValueError(f"unknown kind {name!r}; expected one of {', '.join(KINDS)}")
    return key


def open_inventory(path: Path, kind: str | None = None) -> Inventory:
    """Open a file and recognise the header of each sheet; rows are read lazily by `ParsedSheet.records()`."""
    path = Path(path)
    key = resolve_kind(kind)
    kinds = [KINDS[key]] if key else list(KINDS.values())
    sheets: list[ParsedSheet] = []
    skipped: list[str] = []
    try:
        for raw in read_sheets(path):
            head: list[tuple[int, list]] = []
            match = None
            rows = iter(raw.rows)
            for number, cells in rows:
                head.append((number, cells))
                match = match_header(cells, kinds)
                if match or len(head) >= HEADER_SEARCH_ROWS:
                    break
            if match is None:
                skipped.append(raw.name)
                continue
            if sheets and match.kind.name != sheets[0].kind.name:
                skipped.append(raw.name)
                continue
            match.row_number = head[-1][0]
            sheets.append(ParsedSheet(path.name, raw.name, match, chain([], rows)))
    except UnreadableFile as exc:
        return Inventory(path, [], [CellError(path.name, "", None, "", "", str(exc))], skipped)
    if not sheets:
        expected = "、".join(k.label for k in kinds)
        message = Problem(
            "找不到可识别的表头（前 %(rows)d 行中没有%(kinds)s的必填列）", rows=HEADER_SEARCH_ROWS, kinds=expected
        )
        return Inventory(path, [], [CellError(path.name, "", None, "", "", message)], skipped)
    return Inventory(path, sheets, [], skipped)
