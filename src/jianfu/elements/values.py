"""Plain helpers of 一表通: data types, periods, and checking a value against its element's type (no database)."""

from __future__ import annotations

import datetime as dt
import re

from jianfu.ingest import values as cell_values
from jianfu.ingest.errors import Problem
from jianfu.textnorm import normalize_header, normalize_text

DATA_TYPES = {
    "文本": "text",
    "文字": "text",
    "字符": "text",
    "字符串": "text",
    "text": "text",
    "string": "text",
    "数值": "number",
    "数字": "number",
    "整数": "number",
    "小数": "number",
    "数量": "number",
    "金额": "number",
    "number": "number",
    "numeric": "number",
    "integer": "number",
    "日期": "date",
    "时间": "date",
    "date": "date",
    "选项": "choice",
    "枚举": "choice",
    "代码": "choice",
    "choice": "choice",
    "option": "choice",
}
DATA_TYPE_EXPECTED = "应为数据类型：文本、数值、日期或选项"
# Units that count things: a value in them is a whole number, never negative.
COUNT_UNITS = {
    "人",
    "户",
    "个",
    "家",
    "座",
    "所",
    "辆",
    "头",
    "只",
    "次",
    "件",
    "套",
    "台",
    "处",
    "名",
    "位",
    "人次",
    "项",
}
_PERIOD = (
    re.compile(r"^(\d{4})$"),
    re.compile(r"^(\d{4})\s*[Qq季]\s*([1-4])$"),
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"),
)
PERIOD_EXPECTED = "应为期间：2026、2026Q3、2026-11 或一个日期"


def data_type_of(raw: object) -> str:
    """The data type key ('' for blank); ValueError with what was expected for an unknown word."""
    text = normalize_header(raw) if raw not in (None, "") else ""
    if not text:
        return ""
    if text in DATA_TYPES:
        return DATA_TYPES[text]
    raise ValueError(DATA_TYPE_EXPECTED)


def normalise_period(raw: object) -> str:
    """'2026', '2026Q3', '2026-11' or an ISO date; ValueError otherwise."""
    if isinstance(raw, (dt.date, dt.datetime)):
        return cell_values.parse_date(raw).isoformat()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = normalize_text(raw).replace(" ", "")
    if not text:
        raise ValueError(PERIOD_EXPECTED)
    year = _PERIOD[0].match(text)
    if year:
        return year.group(1)
    quarter = _PERIOD[1].match(text)
    if quarter:
        return f"{quarter.group(1)}Q{quarter.group(2)}"
    month = _PERIOD[2].match(text)
    if month and 1 <= int(month.group(2)) <= 12:
        return f"{month.group(1)}-{int(month.group(2)):02d}"
    try:
        return cell_values.parse_date(text).isoformat()
    except ValueError:
        raise ValueError(PERIOD_EXPECTED) from None


def is_count(unit: str) -> bool:
    return (unit or "").strip() in COUNT_UNITS


def check_value(raw: object, data_type: str, unit: str = "") -> str:
    """The value as it is kept (text), checked against its type; ValueError (a Chinese message) when it does not fit.

    Counts (a number in 人, 户 …) must be whole and not negative; other numbers may be negative or decimal."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = normalize_text(raw).strip()
    if not text:
        return ""
    if data_type == "number":
        number_text = text.replace(",", "").replace("，", "")
        try:
            number = float(number_text)
        except ValueError:
            raise (
                Problem("应为数字（%(unit)s），不能是文字", unit=unit) if unit else ValueError("应为数字，不能是文字")
            ) from None
        if is_count(unit):
            if number < 0:
                raise Problem("是以“%(unit)s”计的数量，不能为负数", unit=unit)
            if not number.is_integer():
                raise Problem("是以“%(unit)s”计的数量，应为整数", unit=unit)
            return str(int(number))
        return str(int(number)) if number.is_integer() else repr(number)
    if data_type == "date":
        try:
            return cell_values.parse_date(raw).isoformat()
        except ValueError:
            raise ValueError(cell_values.DATE_EXPECTED) from None
    return text


def synonym_key(name: str) -> str:
    """What makes two names the same catalog entry: Simplified, half-width, no spaces or case."""
    return normalize_header(name)
