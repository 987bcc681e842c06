"""The analysis input contract: the tables a snapshot holds, their columns and the vocabularies.

This module is the single source of truth for what the exporter (registry → snapshot) writes and what
the detectors read. A snapshot is either

* a directory with one Parquet file per table, ``<table>.parquet`` (or a folder ``<table>/`` of Parquet
  files), or
* an open DuckDB connection that already has tables or views with these names.

Every table may be missing (it is then read as empty) and every column except the codes may be NULL.
Extra columns are ignored. Text is already Simplified Chinese (the exporter normalises with
``jianfu.textnorm``); codes are the ``编号``/``编码`` from the imported files.
"""

from __future__ import annotations

import pyarrow as pa

LEVELS = ("province", "city", "county", "township", "village")
APP_CATEGORIES = ("app", "mini_program", "h5", "pc", "platform")
FREQUENCIES = ("day", "week", "dekad", "month", "quarter", "halfyear", "year", "adhoc")
NATURES = ("standing", "temporary")

_STR = pa.string()
_LIST = pa.list_(pa.string())

#: Column name → Arrow type, per table, in the order the exporter writes them.
SCHEMAS: dict[str, pa.Schema] = {
    # region_code: the nearest ancestor-or-self that is a region (not a department);
    # path: '/<root code>/…/<own code>/', every ancestor code including the unit's own.
    "units": pa.schema(
        [
            ("code", _STR),
            ("name", _STR),
            ("parent_code", _STR),
            ("level", _STR),
            ("unit_type", _STR),
            ("region_code", _STR),
            ("path", _STR),
        ]
    ),
    "people": pa.schema([("code", _STR), ("name", _STR), ("unit_code", _STR), ("post", _STR)]),
    # category 'platform' marks an information platform (信息平台); the rest are apps.
    "apps": pa.schema(
        [
            ("code", _STR),
            ("name", _STR),
            ("category", _STR),
            ("owner_code", _STR),
            ("launch_date", pa.date32()),
            ("last_update", pa.date32()),
            ("registered_users", pa.int64()),
            ("monthly_active_users", pa.int64()),
            ("functions", _LIST),
            ("forced_features", _LIST),
            ("description", _STR),
        ]
    ),
    "accounts": pa.schema(
        [
            ("code", _STR),
            ("name", _STR),
            ("platform", _STR),
            ("owner_code", _STR),
            ("opened_date", pa.date32()),
            ("last_post", pa.date32()),
            ("followers", pa.int64()),
            ("posts_30d", pa.int64()),
            ("assessments", _LIST),
        ]
    ),
    "groups": pa.schema(
        [
            ("code", _STR),
            ("name", _STR),
            ("platform", _STR),
            ("owner_person_code", _STR),
            ("owner_code", _STR),
            ("created_date", pa.date32()),
            ("nature", _STR),
            ("task_end_date", pa.date32()),
            ("last_active", pa.date32()),
            ("messages_30d", pa.int64()),
            ("purpose", _STR),
            ("demands", _LIST),
        ]
    ),
    # One row per membership; duplicates are tolerated (counted once).
    "members": pa.schema([("group_code", _STR), ("person_code", _STR)]),
    "forms": pa.schema(
        [
            ("code", _STR),
            ("title", _STR),
            ("issuer_code", _STR),
            ("respondent_level", _STR),
            ("frequency", _STR),
            ("channel", _STR),
            ("minutes_per_filing", pa.float64()),
        ]
    ),
    "fields": pa.schema(
        [
            ("form_code", _STR),
            ("position", pa.int32()),
            ("name", _STR),
            ("note", _STR),
            ("data_type", _STR),
            ("unit", _STR),
        ]
    ),
    # The data-element catalog of 一表通: region_path '/' is shared by every region, else the owning region's path.
    "elements": pa.schema(
        [
            ("code", _STR),
            ("name", _STR),
            ("synonyms", _LIST),
            ("data_type", _STR),
            ("unit", _STR),
            ("region_path", _STR),
        ]
    ),
    # Mappings an officer confirmed (element_code NULL: confirmed as no element); they override the matcher.
    "field_elements": pa.schema([("form_code", _STR), ("position", pa.int32()), ("element_code", _STR)]),
}

TABLES = tuple(SCHEMAS)

# --- vocabularies (Simplified, as the exporter writes them) ------------------------------------------

#: forced-use features of apps → (rule, ascii id used in SQL column names)
APP_FEATURES: dict[str, tuple[str, str]] = {
    "打卡签到": ("F1", "checkin"),
    "强制下载": ("F1", "forced_download"),
    "安装率考核": ("F1", "install_quota"),
    "定期登录": ("F1", "periodic_login"),
    "截图留痕": ("F2", "screenshot"),
    "轨迹上传": ("F2", "track_upload"),
    "积分排名": ("F3", "points_ranking"),
    "在线时长": ("F3", "online_time"),
    "点赞转发考核": ("F3", "like_forward"),
    "学习时长考核": ("F3", "study_time"),
}

#: demands a work group makes of its members → (rule, ascii id)
GROUP_DEMANDS: dict[str, tuple[str, str]] = {
    "打卡接龙": ("F1", "checkin_chain"),
    "即时回复": ("F1", "instant_reply"),
    "收到请回复": ("F1", "reply_received"),
    "截图留痕": ("F2", "screenshot"),
    "上传照片视频": ("F2", "photo_video"),
    "定位打卡": ("F2", "location_checkin"),
}

#: assessments attached to a public account (all F3) → ascii id
ACCOUNT_ASSESSMENTS: dict[str, str] = {
    "关注考核": "follow",
    "点赞转发考核": "like_forward",
    "阅读量考核": "reads",
}

#: functions that almost every government app lists; they never make two apps duplicates on their own.
GENERIC_APP_FUNCTIONS = ("通知公告", "信息报送", "学习培训", "事项办理", "数据采集", "考勤打卡")

RULE_NAMES = {"F1": "强制使用", "F2": "过度留痕", "F3": "滥用排名", "F4": "多头填报", "F5": "空壳僵尸"}


def features_of_rule(vocabulary: dict[str, tuple[str, str]], rule: str) -> list[str]:
    """The Chinese terms of one rule, in vocabulary order."""
    return [term for term, (r, _) in vocabulary.items() if r == rule]


def empty_table(name: str) -> pa.Table:
    """An empty Arrow table with the contract schema of ``name``."""
    return SCHEMAS[name].empty_table()


def duckdb_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type the contract column is cast to when a snapshot is opened."""
    if pa.types.is_list(arrow_type):
        return duckdb_type(arrow_type.value_type) + "[]"
    return {
        pa.string(): "VARCHAR",
        pa.date32(): "DATE",
        pa.int64(): "BIGINT",
        pa.int32(): "INTEGER",
        pa.float64(): "DOUBLE",
    }[arrow_type]
