"""Cell value parsers. Each returns the typed value or raises ValueError with what was expected (Chinese)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import unicodedata

from jianfu.ingest.errors import Problem
from jianfu.textnorm import normalize_text, split_multi

EXCEL_EPOCH = dt.date(1899, 12, 30)
_WHITESPACE = re.compile(r"\s")
# Serial numbers from 1954 to 2119: wide enough for real launch dates, narrow enough not to read a count as a date.
_SERIAL_RANGE = (20000, 80000)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
DATE_EXPECTED = "应为日期，如 2024-05-01、2024/5/1、2024.5.1、2024年5月1日、20240501 或 Excel 日期"

LEVELS = {
    "省": "province",
    "自治区": "province",
    "直辖市": "province",
    "省级": "province",
    "province": "province",
    "市": "city",
    "地级市": "city",
    "州": "city",
    "盟": "city",
    "市级": "city",
    "city": "city",
    "prefecture": "city",
    "县": "county",
    "区": "county",
    "县级市": "county",
    "旗": "county",
    "县级": "county",
    "县区": "county",
    "county": "county",
    "district": "county",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "乡镇": "township",
    "苏木": "township",
    "乡级": "township",
    "乡镇街道": "township",
    "township": "township",
    "town": "township",
    "street": "township",
    "subdistrict": "township",
    "村": "village",
    "社区": "village",
    "居委会": "village",
    "村委会": "village",
    "村居": "village",
    "嘎查": "village",
    "村(社区)": "village",
    "村社区": "village",
    "village": "village",
    "community": "village",
}
LEVEL_EXPECTED = "应为层级：省、市、县（区）、乡（镇、街道）或村（社区）"

NATURES = {
    "常设": "standing",
    "长期": "standing",
    "常态": "standing",
    "固定": "standing",
    "常设性": "standing",
    "长期性": "standing",
    "standing": "standing",
    "permanent": "standing",
    "临时": "temporary",
    "临时性": "temporary",
    "专项": "temporary",
    "阶段性": "temporary",
    "短期": "temporary",
    "temporary": "temporary",
}
NATURE_EXPECTED = "应为群性质：常设（长期）或临时（临时性）"

CATEGORIES = {
    "app": "app",
    "应用": "app",
    "移动应用": "app",
    "客户端": "app",
    "小程序": "mini_program",
    "微信小程序": "mini_program",
    "mini program": "mini_program",
    "miniprogram": "mini_program",
    "h5": "h5",
    "h5应用": "h5",
    "网页": "h5",
    "pc系统": "pc",
    "pc": "pc",
    "pc端": "pc",
    "系统": "pc",
    "业务系统": "pc",
    "电脑端": "pc",
    "平台": "platform",
    "信息平台": "platform",
    "platform": "platform",
}
CATEGORY_EXPECTED = "应为类别：APP、小程序、H5、PC系统或平台"

FREQUENCIES = {
    "日": "day",
    "每日": "day",
    "每天": "day",
    "日报": "day",
    "daily": "day",
    "day": "day",
    "周": "week",
    "每周": "week",
    "周报": "week",
    "weekly": "week",
    "week": "week",
    "旬": "dekad",
    "每旬": "dekad",
    "旬报": "dekad",
    "dekad": "dekad",
    "月": "month",
    "每月": "month",
    "月报": "month",
    "monthly": "month",
    "month": "month",
    "季": "quarter",
    "季度": "quarter",
    "每季": "quarter",
    "每季度": "quarter",
    "季报": "quarter",
    "quarterly": "quarter",
    "半年": "halfyear",
    "每半年": "halfyear",
    "半年报": "halfyear",
    "halfyear": "halfyear",
    "年": "year",
    "每年": "year",
    "年度": "year",
    "年报": "year",
    "yearly": "year",
    "annual": "year",
    "临时": "adhoc",
    "不定期": "adhoc",
    "随时": "adhoc",
    "adhoc": "adhoc",
    "ad hoc": "adhoc",
}
FREQUENCY_EXPECTED = "应为频次：日、周、旬、月、季、半年、年或临时"

STATUSES = {
    "在用": "active",
    "正常": "active",
    "使用中": "active",
    "运行": "active",
    "运行中": "active",
    "启用": "active",
    "有效": "active",
    "active": "active",
    "注销": "cancelled",
    "已注销": "cancelled",
    "取消": "cancelled",
    "已取消": "cancelled",
    "撤销": "cancelled",
    "已撤销": "cancelled",
    "停用": "cancelled",
    "已停用": "cancelled",
    "关停": "cancelled",
    "已关停": "cancelled",
    "解散": "cancelled",
    "已解散": "cancelled",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "合并": "merged",
    "已合并": "merged",
    "整合": "merged",
    "已整合": "merged",
    "merged": "merged",
}
STATUS_EXPECTED = "应为状态：「在用」、「注销」或「整合」"


def is_blank(raw: object) -> bool:
    return raw is None or raw == "" or (isinstance(raw, str) and not raw.strip())


def parse_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return normalize_text(raw)


def parse_code(raw: object) -> str:
    """Codes keep their digits: Excel turns 330100000000 into 330100000000.0, and that is not a new code."""
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError("应为编码（文字或整数）")
        raw = int(raw)
    text = str(raw).strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    if _WHITESPACE.search(text):
        raise ValueError("编码中不应含空格")
    if len(text) > 40:
        raise ValueError("编码不应超过 40 个字符")
    return text


def parse_int(raw: object) -> int:
    if isinstance(raw, bool):
        raise ValueError("应为非负整数")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError("应为非负整数")
        value = int(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")
        text = re.sub(r"[人户条个次]$", "", text)
        multiplier = 10000 if text.endswith("万") else 1
        try:
            number = float(text.removesuffix("万")) * multiplier
        except ValueError:
            raise ValueError("应为非负整数") from None
        if not number.is_integer():
            raise ValueError("应为非负整数")
        value = int(number)
    return _non_negative(value)


def _non_negative(value: int) -> int:
    if value < 0 or value > 2_000_000_000:
        raise ValueError("应为非负整数")
    return value


def parse_float(raw: object) -> float:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace("分钟", "").replace("分", "")
        try:
            value = float(text)
        except ValueError:
            raise ValueError("应为数字（分钟）") from None
    if value < 0 or value > 100000:
        raise ValueError("应为非负数字（分钟）")
    return value


def parse_date(raw: object) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = float(raw)
        if number.is_integer() and 19000101 <= number <= 21001231:
            return _date_from_text(str(int(number)))
        if _SERIAL_RANGE[0] <= number < _SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(number))
        raise ValueError(DATE_EXPECTED)
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" 年", "年").replace(" 月", "月")
    text = re.sub(r"\s+", "", text) if "年" in text else text
    if re.fullmatch(r"\d{5}(\.0+)?", text) and _SERIAL_RANGE[0] <= float(text) < _SERIAL_RANGE[1]:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    return _date_from_text(text)


def _date_from_text(text: str) -> dt.date:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise Problem("日期不存在：%(text)s", text=text) from None
    raise ValueError(DATE_EXPECTED)


def parse_phone(raw: object) -> str:
    """An 11-digit mainland mobile number; spaces, dashes and a +86 prefix are tolerated."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    digits = re.sub(r"[\s\-‐–—.()（）]", "", unicodedata.normalize("NFKC", str(raw)))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise ValueError("应为 11 位手机号码（1 开头，可含空格或短横线）")
    return digits


def parse_multi(raw: object) -> list[str]:
    return split_multi(raw)


def _choice(mapping: dict[str, str], expected: str):
    def parse(raw: object) -> str:
        key = normalize_text(raw).lower().replace("（", "(").replace("）", ")")
        if key in mapping:
            return mapping[key]
        stripped = key.replace("级", "") if key.endswith("级") and len(key) > 2 else key
        if stripped in mapping:
            return mapping[stripped]
        raise ValueError(expected)

    return parse


PARSERS = {
    "text": parse_text,
    "code": parse_code,
    "int": parse_int,
    "float": parse_float,
    "date": parse_date,
    "multi": parse_multi,
    "phone": parse_phone,
    "level": _choice(LEVELS, LEVEL_EXPECTED),
    "nature": _choice(NATURES, NATURE_EXPECTED),
    "category": _choice(CATEGORIES, CATEGORY_EXPECTED),
    "frequency": _choice(FREQUENCIES, FREQUENCY_EXPECTED),
    "status": _choice(STATUSES, STATUS_EXPECTED),
}


def hash_phone(phone: str, key: str) -> str:
    """Keyed hash used to match a person by phone without storing the number."""
    return hmac.new(key.encode(), phone.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def display_value(raw: object, type_: str) -> str:
    """How a rejected value is echoed back: as written, except phone numbers, which stay masked even in errors."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if type_ == "phone":
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 7:
            return f"{digits[:3]}****{digits[-4:]}"
        return "*" * len(digits)
    return text[:200]
