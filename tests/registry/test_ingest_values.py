"""Cell parsers: every date shape, phones, variants and separators the spec lists (no database)."""

import datetime as dt

import pytest

from jianfu.ingest import values
from jianfu.textnorm import split_multi


@pytest.mark.parametrize(
    "raw",
    [
        "2024-05-01",
        "2024/5/1",
        "2024.5.1",
        "2024年5月1日",
        "20240501",
        20240501,
        45413,
        45413.0,
        "45413",
        dt.date(2024, 5, 1),
        dt.datetime(2024, 5, 1, 8, 30),
        " 2024 年 5 月 1 日 ",
        "2024-05-01 00:00:00",
    ],
)
def test_it_reads_every_date_shape(raw):
    assert values.parse_date(raw) == dt.date(2024, 5, 1)


@pytest.mark.parametrize("raw", ["2024-13-01", "昨天", "5/1/2024", 12, "2024年2月30日"])
def test_it_rejects_what_is_not_a_date(raw):
    with pytest.raises(ValueError):
        values.parse_date(raw)


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", 13812345678.0, "１３８１２３４５６７８"],
)
def test_it_reads_phones_with_spaces_and_dashes(raw):
    assert values.parse_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "138123456789", "电话"])
def test_it_rejects_bad_phones(raw):
    with pytest.raises(ValueError):
        values.parse_phone(raw)


def test_error_echo_masks_phones():
    assert values.display_value("1381234567", "phone") == "138****4567"


@pytest.mark.parametrize(
    "raw,expected",
    [("临时", "temporary"), ("臨時性", "temporary"), ("长期", "standing"), ("常设", "standing"), ("長期", "standing")],
)
def test_it_reads_nature_variants(raw, expected):
    assert values.PARSERS["nature"](raw) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("省", "province"),
        ("区", "county"),
        ("街道", "township"),
        ("镇", "township"),
        ("社區", "village"),
        ("Village", "village"),
        ("县级", "county"),
    ],
)
def test_it_reads_level_variants(raw, expected):
    assert values.PARSERS["level"](raw) == expected


def test_it_splits_on_every_separator():
    assert split_multi("信息報送;通知公告；学习培训、事项办理,数据采集，考勤打卡\n积分排名\r\n在线时长") == [
        "信息报送",
        "通知公告",
        "学习培训",
        "事项办理",
        "数据采集",
        "考勤打卡",
        "积分排名",
        "在线时长",
    ]


@pytest.mark.parametrize(
    "raw,expected", [("1,200", 1200), (1200.0, 1200), ("3.5万", 35000), ("120人", 120), (" 7 ", 7)]
)
def test_it_reads_counts(raw, expected):
    assert values.parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "1.5", "很多"])
def test_it_rejects_bad_counts(raw):
    with pytest.raises(ValueError):
        values.parse_int(raw)


def test_codes_keep_their_digits():
    assert values.parse_code(330100000000.0) == "330100000000"
