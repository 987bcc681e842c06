"""Excel output safe from spreadsheet formula injection: every text cell is written as text, never a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

import xlsxwriter

# What makes a spreadsheet read text as a formula (full-width forms too: a Chinese input method types them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def escape_formula(text: str) -> str:
    """One leading apostrophe on text that starts, after any apostrophes, with a formula trigger.

    Text that already starts with apostrophes before a trigger gets one more, so that `unescape_formula`
    (which the importer applies) can undo exactly this and a re-imported export equals what was exported.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def unescape_formula(text: str) -> str:
    """The inverse of `escape_formula`: one apostrophe dropped before (apostrophes and) a trigger, else unchanged."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers and dates pass."""
    if isinstance(value, (list, tuple)):
        value = "；".join(str(v) for v in value)
    if isinstance(value, dict):
        value = "；".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, str):
        return escape_formula(value)
    return value


def write_table(
    target: str | IO[bytes],
    sheet: str,
    headers: list[str],
    rows: Iterable[Iterable[object]],
    widths: list[int] | None = None,
    wrap: Iterable[int] = (),
) -> None:
    """Stream rows into one sheet (constant memory); strings are always written as strings.

    ``widths`` sets each column's width (default 16); text in the ``wrap`` columns wraps within the cell.
    """
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "in_memory": not isinstance(target, str),
        },
    )
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    wrap = set(wrap)
    ws.write_row(0, 0, headers, bold)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            value = neutralise(value)
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value, wrapped if c in wrap else None)
            elif hasattr(value, "year"):
                ws.write_datetime(r, c, value, date_format)
            else:
                ws.write(r, c, value)
    if widths:
        for c, width in enumerate(widths):
            ws.set_column(c, c, width)
    else:
        ws.set_column(0, max(len(headers) - 1, 0), 16)
    book.close()
