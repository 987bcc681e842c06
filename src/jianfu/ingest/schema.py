"""The import kinds of spec/formats.md: columns, the header variants departments write, value types."""

from __future__ import annotations

from dataclasses import dataclass, field

from jianfu.textnorm import normalize_header

# Value types understood by jianfu.ingest.values.
TEXT, CODE, INT, FLOAT, DATE, MULTI, PHONE, LEVEL, NATURE, CATEGORY, FREQUENCY, STATUS = (
    "text",
    "code",
    "int",
    "float",
    "date",
    "multi",
    "phone",
    "level",
    "nature",
    "category",
    "frequency",
    "status",
)


@dataclass(frozen=True)
class Column:
    field: str
    canonical: str
    synonyms: tuple[str, ...] = ()
    type: str = TEXT
    required: bool = False
    # A column that may be absent from the header as a whole (not merely empty in a row).
    optional_header: bool = False

    def header_keys(self) -> set[str]:
        keys = {normalize_header(self.canonical)} | {normalize_header(s) for s in self.synonyms}
        # Departments write 时间 where the spec says 日期 and the other way round.
        for key in list(keys):
            if key.endswith("日期"):
                keys.add(key[:-2] + "时间")
            elif key.endswith("时间"):
                keys.add(key[:-2] + "日期")
        return keys


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    columns: tuple[Column, ...]
    # Alternatives: the header must hold every column of at least one set.
    required_sets: tuple[frozenset[str], ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


def _kind(name: str, label: str, columns: list[Column], required_sets: list[set[str]] | None = None) -> Kind:
    sets = required_sets or [{c.field for c in columns if not c.optional_header}]
    return Kind(name, label, tuple(columns), tuple(frozenset(s) for s in sets))


# Optional on every carrier kind (issue 14): a carrier's status and the day it was cancelled or merged.
_STATUS_COLUMNS = [
    Column("status", "状态", ("当前状态", "运行状态", "使用状态", "status"), STATUS, optional_header=True),
    Column(
        "status_date",
        "注销日期",
        ("撤销日期", "关停日期", "解散日期", "停用日期", "取消日期", "注销时间", "cancelled on", "cancel date"),
        DATE,
        optional_header=True,
    ),
]

UNITS = _kind(
    "units",
    "单位",
    [
        Column("code", "编码", ("单位编码", "区划代码", "统计用区划代码", "代码", "单位代码", "code"), CODE, True),
        Column("name", "名称", ("单位名称", "name"), TEXT, True),
        Column(
            "parent_code",
            "上级编码",
            ("上级单位编码", "上级代码", "父级编码", "上级单位代码", "parent", "parent code"),
            CODE,
        ),
        Column("level", "层级", ("级别", "行政级别", "单位层级", "level"), LEVEL, True),
        Column("unit_type", "类型", ("单位类型", "单位性质", "type"), TEXT, optional_header=True),
    ],
)

PEOPLE = _kind(
    "people",
    "人员",
    [
        Column("code", "编号", ("人员编号", "工号", "人员代码", "code"), CODE, True),
        Column("name", "姓名", ("名字", "name"), TEXT, True),
        Column(
            "phone",
            "手机号",
            ("手机号码", "手机", "联系电话", "移动电话", "电话", "phone", "mobile"),
            PHONE,
            optional_header=True,
        ),
        Column("unit_code", "所属单位", ("单位编码", "所在单位", "所属单位编码", "单位", "unit"), CODE, True),
        Column("post", "职务", ("岗位", "职位", "post", "title"), TEXT, optional_header=True),
    ],
)

_APP_COLUMNS = [
    Column("code", "编号", ("应用编号", "平台编号", "系统编号", "code"), CODE, True),
    Column("name", "名称", ("应用名称", "app名称", "平台名称", "系统名称", "程序名称", "name"), TEXT, True),
    Column("category", "类别", ("类型", "应用类型", "应用类别", "category"), CATEGORY, True),
    Column("owner_code", "主管单位", ("主管部门", "建设单位", "主管单位编码", "owner"), CODE, True),
    Column("launch_date", "上线日期", ("启用日期", "launch date"), DATE, optional_header=True),
    Column(
        "last_update",
        "最近更新",
        ("最近更新日期", "最后更新日期", "更新日期", "last update"),
        DATE,
        optional_header=True,
    ),
    Column(
        "registered_users",
        "注册用户数",
        ("用户数", "注册用户", "注册人数", "registered users"),
        INT,
        optional_header=True,
    ),
    Column(
        "monthly_active_users",
        "月活跃用户数",
        ("月活用户数", "月活跃用户", "月活", "月活跃人数", "mau", "monthly active users"),
        INT,
        optional_header=True,
    ),
    Column("functions", "功能", ("主要功能", "功能模块", "functions"), MULTI, optional_header=True),
    Column(
        "forced_features", "强制功能", ("强制使用功能", "强制性功能", "forced features"), MULTI, optional_header=True
    ),
    Column(
        "description", "描述", ("简介", "功能描述", "应用描述", "功能简介", "description"), TEXT, optional_header=True
    ),
    *_STATUS_COLUMNS,
]
APPS = _kind("apps", "政务应用程序", _APP_COLUMNS)

ACCOUNTS = _kind(
    "accounts",
    "政务公众账号",
    [
        Column("code", "编号", ("账号编号", "code"), CODE, True),
        Column("name", "名称", ("账号名称", "公众号名称", "name"), TEXT, True),
        Column("platform", "平台", ("所在平台", "开设平台", "platform"), TEXT, True),
        Column("owner_code", "主办单位", ("运营单位", "主办单位编码", "开办单位", "owner"), CODE, True),
        Column("opened_date", "开设日期", ("开通日期", "opened"), DATE, optional_header=True),
        Column(
            "last_post",
            "最近发布",
            ("最近发布日期", "最后发布日期", "最近更新", "last post"),
            DATE,
            optional_header=True,
        ),
        Column("followers", "粉丝数", ("关注数", "粉丝", "关注人数", "followers"), INT, optional_header=True),
        Column(
            "posts_30d",
            "近30天发布数",
            ("30天发布数", "近一月发布数", "月发布数", "posts 30d"),
            INT,
            optional_header=True,
        ),
        Column("assessments", "考核要求", ("考核", "考核方式", "assessments"), MULTI, optional_header=True),
        *_STATUS_COLUMNS,
    ],
)

GROUPS = _kind(
    "groups",
    "工作群",
    [
        Column("code", "编号", ("群编号", "code"), CODE, True),
        Column("name", "群名称", ("群名", "工作群名称", "name"), TEXT, True),
        Column("platform", "平台", ("所在平台", "群平台", "platform"), TEXT, True),
        Column("owner_person_code", "群主", ("群主编号", "群主人员编号", "owner person"), CODE, optional_header=True),
        Column("owner_code", "主管单位", ("建群单位", "主管单位编码", "主管部门", "owner"), CODE, True),
        Column("created_date", "建群日期", ("创建日期", "created"), DATE, optional_header=True),
        Column("nature", "性质", ("群性质", "群类型", "nature"), NATURE, optional_header=True),
        Column("task_end_date", "任务结束日期", ("结束日期", "任务截止日期", "task end"), DATE, optional_header=True),
        Column(
            "last_active",
            "最近活跃",
            ("最近活跃日期", "最后发言日期", "最近消息日期", "last active"),
            DATE,
            optional_header=True,
        ),
        Column(
            "messages_30d",
            "近30天消息数",
            ("30天消息数", "近一月消息数", "月消息数", "messages 30d"),
            INT,
            optional_header=True,
        ),
        Column("purpose", "用途", ("建群用途", "建群事由", "事由", "purpose"), TEXT, optional_header=True),
        Column("demands", "要求", ("对成员要求", "成员要求", "demands"), MULTI, optional_header=True),
        *_STATUS_COLUMNS,
    ],
)

MEMBERS = _kind(
    "members",
    "群成员",
    [
        Column("group_code", "群编号", ("工作群编号", "group"), CODE, True),
        Column("person_code", "人员编号", ("成员编号", "person"), CODE, optional_header=True),
        Column("name", "姓名", ("成员姓名", "name"), TEXT, optional_header=True),
        Column("phone", "手机号", ("手机号码", "手机", "联系电话", "phone", "mobile"), PHONE, optional_header=True),
    ],
    required_sets=[{"group_code", "person_code"}, {"group_code", "name", "phone"}],
)

FORMS = _kind(
    "forms",
    "报表",
    [
        Column("code", "编号", ("报表编号", "code"), CODE, True),
        Column("title", "表名", ("报表名称", "表格名称", "title"), TEXT, True),
        Column("issuer_code", "发文单位", ("下发单位", "发文单位编码", "制发单位", "issuer"), CODE, True),
        Column("respondent_level", "填报对象", ("填报层级", "填报主体", "respondent"), LEVEL, optional_header=True),
        Column("frequency", "频次", ("填报频次", "频率", "报送频次", "frequency"), FREQUENCY, True),
        Column("channel", "填报渠道", ("渠道", "报送渠道", "channel"), TEXT, optional_header=True),
        Column(
            "minutes_per_filing",
            "每次用时（分钟）",
            ("每次用时", "填报用时", "用时", "minutes"),
            FLOAT,
            optional_header=True,
        ),
        *_STATUS_COLUMNS,
    ],
)

FIELDS = _kind(
    "fields",
    "报表字段",
    [
        Column("form_code", "报表编号", ("表编号", "form"), CODE, True),
        Column("position", "序号", ("字段序号", "position"), INT, True),
        Column("name", "字段名称", ("指标名称", "指标", "字段", "field"), TEXT, True),
        Column("note", "说明", ("备注", "note"), TEXT, optional_header=True),
        Column("data_type", "数据类型", ("类型", "字段类型", "data type"), TEXT, optional_header=True),
        Column("unit", "计量单位", ("单位", "unit"), TEXT, optional_header=True),
    ],
)

ELEMENTS = _kind(
    "elements",
    "数据元",
    [
        Column("code", "元素编码", ("数据元编码", "数据元编号", "元素编号", "element code"), CODE, True),
        Column("name", "名称", ("数据元名称", "元素名称", "标准名称", "name"), TEXT, True),
        Column("synonyms", "同义词", ("别名", "又称", "synonyms"), MULTI, optional_header=True),
        Column("definition", "定义", ("说明", "释义", "definition"), TEXT, optional_header=True),
        Column("data_type", "数据类型", ("类型", "值类型", "data type"), TEXT, optional_header=True),
        Column("unit", "计量单位", ("单位", "unit"), TEXT, optional_header=True),
        Column("source", "权威来源", ("来源", "数据来源", "权威部门", "source"), TEXT, optional_header=True),
    ],
)

VALUES = _kind(
    "values",
    "数据元取值",
    [
        Column("element_code", "元素编码", ("数据元编码", "数据元编号", "元素编号", "element"), CODE, True),
        Column("unit_code", "单位编码", ("单位代码", "区划代码", "所属单位", "unit"), CODE, True),
        Column("period", "期间", ("统计期", "报告期", "时期", "period"), TEXT, True),
        Column("value", "值", ("取值", "数值", "value"), TEXT, True),
        Column("source", "来源", ("数据来源", "source"), TEXT, optional_header=True),
    ],
)

# Dependency order: a file may only reference kinds that come before it.
KIND_ORDER = ("units", "people", "apps", "accounts", "groups", "members", "forms", "fields", "elements", "values")
KINDS: dict[str, Kind] = {
    k.name: k for k in (UNITS, PEOPLE, APPS, ACCOUNTS, GROUPS, MEMBERS, FORMS, FIELDS, ELEMENTS, VALUES)
}
# Platforms are apps with 类别=平台; `--kind platforms` is accepted and read as apps.
KIND_ALIASES = {
    "platforms": "apps",
    "platform": "apps",
    "app": "apps",
    "unit": "units",
    "person": "people",
    "account": "accounts",
    "group": "groups",
    "member": "members",
    "memberships": "members",
    "form": "forms",
    "field": "fields",
    "element": "elements",
    "value": "values",
}
