"""The deliberate messiness of real department spreadsheets, limited to what the importer accepts.

Every shape produced here is listed in docs/generator.md: date shapes, phone shapes, separators of
multi-valued cells, Traditional-character values.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import opencc

EXCEL_EPOCH = dt.date(1899, 12, 30)

# Date shapes.  "excel_date" is a real Excel date cell, "serial" an Excel serial number written as a
# plain number; both exist only in xlsx files.  CSV files get the text shapes only.
TEXT_DATE_SHAPES = ("iso", "slash", "dot", "cn", "compact")
XLSX_DATE_SHAPES = TEXT_DATE_SHAPES + ("excel_date", "excel_date", "serial")

SEPARATORS = (";", "；", "、", ",", "，", "\n")


def date_text(d: dt.date, shape: str) -> str:
    if shape == "iso":
        return d.isoformat()
    if shape == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if shape == "dot":
        return f"{d.year}.{d.month}.{d.day}"
    if shape == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if shape == "compact":
        return f"{d.year:04d}{d.month:02d}{d.day:02d}"
    raise ValueError(shape)


def date_cell(d: dt.date | None, shape: str):
    """A cell value for an xlsx writer: str, a datetime.date (written as an Excel date) or an int serial."""
    if d is None:
        return None
    if shape == "excel_date":
        return d
    if shape == "serial":
        return (d - EXCEL_EPOCH).days
    return date_text(d, shape)


def phone_text(phone: int, shape: int) -> str:
    """13812345678 (shape 0), 138 1234 5678 (1) or 138-1234-5678 (2)."""
    s = str(phone)
    if shape == 1:
        return f"{s[:3]} {s[3:7]} {s[7:]}"
    if shape == 2:
        return f"{s[:3]}-{s[3:7]}-{s[7:]}"
    return s


def join_multi(values: list[str], sep_index: int) -> str:
    """Values joined with one separator chosen by sep_index; odd indexes mix two separators in one cell."""
    if not values:
        return ""
    first = SEPARATORS[sep_index % len(SEPARATORS)]
    if sep_index % 2 == 1 and len(values) > 2:
        second = SEPARATORS[(sep_index + 3) % len(SEPARATORS)]
        return first.join(values[:2]) + second + second.join(values[2:])
    return first.join(values)


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


@lru_cache(maxsize=65536)
def traditional(text: str) -> str:
    return _s2t().convert(text)
