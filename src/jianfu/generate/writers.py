"""File writers: xlsx tables with optional title and note rows, CSV (UTF-8, UTF-8 with BOM, GBK), and a
members CSV that rolls over to a new file every `max_rows` rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import xlsxwriter


class XlsxTable:
    """One sheet: title rows (a merged title cell and a date line), the header, data rows, note rows.

    Written in XlsxWriter's constant_memory mode, so rows must come in order and memory stays flat.
    """

    def __init__(
        self,
        path: Path,
        headers: list[str],
        *,
        created: dt.datetime,
        sheet: str = "Sheet1",
        title: str | None = None,
        subtitle: str | None = None,
    ):
        self.path = path
        self.headers = headers
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.wb.set_properties({"created": created, "author": "jianfu generate"})
        self.ws = self.wb.add_worksheet(sheet)
        self.date_fmt = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        self.row = 0
        if title:
            title_fmt = self.wb.add_format({"bold": True, "font_size": 14, "align": "center"})
            if len(headers) > 1:
                self.ws.merge_range(0, 0, 0, len(headers) - 1, title, title_fmt)
            else:
                self.ws.write_string(0, 0, title, title_fmt)
            self.row = 1
        if subtitle:
            self.ws.write_string(self.row, 0, subtitle)
            self.row += 1
        head_fmt = self.wb.add_format({"bold": True})
        for c, h in enumerate(headers):
            self.ws.write_string(self.row, c, h, head_fmt)
        self.row += 1
        self.rows = 0

    def add(self, values) -> None:
        ws, r = self.ws, self.row
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), self.date_fmt)
            else:
                ws.write_number(r, c, v)
        self.row += 1
        self.rows += 1

    def close(self, notes: list[str] | None = None) -> None:
        if notes:
            self.row += 1  # a blank row, as departments leave one before their notes
            for note in notes:
                self.ws.write_string(self.row, 0, note)
                self.row += 1
        self.wb.close()


class CsvTable:
    """A CSV file in the given encoding ("gbk", "utf-8", "utf-8-sig")."""

    def __init__(self, path: Path, headers: list[str], encoding: str = "utf-8"):
        self.path = path
        self.f = open(path, "w", encoding=encoding, newline="")
        self.w = csv.writer(self.f, lineterminator="\r\n" if encoding == "gbk" else "\n")
        self.w.writerow(headers)
        self.rows = 0

    def add(self, values) -> None:
        self.w.writerow(values)
        self.rows += 1

    def add_many(self, rows) -> None:
        n = self.rows
        self.w.writerows(rows)
        self.rows = n + len(rows)

    def close(self) -> None:
        self.f.close()


class RollingPairsCsv:
    """Two-column UTF-8 CSV (header first) written as raw lines; rolls to `stem_001.csv`, `stem_002.csv` …
    every `max_rows` rows when `split` is set, else one file `stem.csv`."""

    def __init__(self, out_dir: Path, stem: str, headers: tuple[str, str], *, split: bool, max_rows: int):
        self.out_dir, self.stem, self.headers = out_dir, stem, headers
        self.split, self.max_rows = split, max_rows
        self.paths: list[Path] = []
        self.f: io.TextIOWrapper | None = None
        self.in_file = 0
        self.rows = 0
        self._open()

    def _open(self) -> None:
        if self.f is not None:
            self.f.close()
        name = f"{self.stem}_{len(self.paths) + 1:03d}.csv" if self.split else f"{self.stem}.csv"
        path = self.out_dir / name
        self.paths.append(path)
        self.f = open(path, "w", encoding="utf-8", newline="")
        self.f.write(",".join(self.headers) + "\n")
        self.in_file = 0

    def write_lines(self, lines: list[str]) -> None:
        """Each line already ends with a newline."""
        i = 0
        while i < len(lines):
            room = self.max_rows - self.in_file if self.split else len(lines) - i
            if room <= 0:
                self._open()
                continue
            part = lines[i : i + room]
            assert self.f is not None  # opened in __init__, reopened by _open
            self.f.write("".join(part))
            self.in_file += len(part)
            self.rows += len(part)
            i += len(part)

    def close(self) -> None:
        if self.f is not None:
            self.f.close()
            self.f = None
