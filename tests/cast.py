"""The fixed cast the web, filings and findings tests use (fixtures in tests/conftest.py): the small county of tests/builders.py plus one of each carrier.

Region tree (codes): 浙江省 330000000000 → 杭州市 330100000000 → 上城区 330102000000 (清波街道 330102001000 →
清波社区 330102001001; 上城区民政局 330102000001) and 拱墅区 330105000000 (米市巷街道 330105001000).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from jianfu.accounts.models import Role, User
from jianfu.registry.importing import import_paths
from jianfu.registry.models import App, Unit
from tests import builders

PROVINCE, CITY, COUNTY, TOWNSHIP, COMMUNITY, BUREAU = (
    "330000000000",
    "330100000000",
    "330102000000",
    "330102001000",
    "330102001001",
    "330102000001",
)
SIBLING, SIBLING_TOWNSHIP = "330105000000", "330105001000"
PASSWORD = "Zheng-que-mi-ma-2026"

APP_ROWS = [
    [
        "编号",
        "名称",
        "类别",
        "主管单位",
        "上线日期",
        "最近更新",
        "注册用户数",
        "月活跃用户数",
        "功能",
        "强制功能",
        "描述",
    ],
    [
        "A1",
        "清波通",
        "APP",
        BUREAU,
        "2023-01-05",
        "2024-05-01",
        1200,
        30,
        "信息报送；通知公告",
        "打卡签到；积分排名",
        "社区事务",
    ],
    ["A2", "民政统计平台", "平台", TOWNSHIP, "2023-01-05", "2024-05-01", 500, 100, "数据采集", "", "统计"],
    ["A3", "拱墅通", "APP", SIBLING, "2023-02-01", "2024-06-01", 800, 300, "通知公告", "截图留痕", "拱墅区应用"],
]
ACCOUNT_ROWS = [
    ["编号", "名称", "平台", "主办单位", "开设日期", "最近发布", "粉丝数", "近30天发布数", "考核要求"],
    ["AC1", "上城发布", "微信公众号", COUNTY, "2020-01-01", "2024-10-01", 5000, 20, "点赞转发考核"],
    ["AC2", "米市巷之声", "抖音", SIBLING_TOWNSHIP, "2021-01-01", "2024-01-01", 300, 0, ""],
]
EXTRA_GROUP_ROWS = [
    [
        "编号",
        "群名称",
        "平台",
        "群主",
        "主管单位",
        "建群日期",
        "性质",
        "任务结束日期",
        "最近活跃",
        "近30天消息数",
        "用途",
        "要求",
    ],
    [
        "G3",
        "拱墅防汛群",
        "微信",
        "P4",
        SIBLING_TOWNSHIP,
        "2024-05-01",
        "临时",
        "2024-09-01",
        "2024-10-01",
        5,
        "防汛",
        "",
    ],
    [
        "G4",
        "清波社区网格群",
        "钉钉",
        "P1",
        COMMUNITY,
        "2024-03-01",
        "常设",
        None,
        "2024-11-01",
        40,
        "网格管理",
        "即时回复",
    ],
]
EXTRA_MEMBER_ROWS = [["群编号", "人员编号"], ["G3", "P4"], ["G3", "P1"], ["G4", "P1"], ["G4", "P2"]]
FORM_ROWS = [
    ["编号", "表名", "发文单位", "填报对象", "频次", "填报渠道", "每次用时（分钟）"],
    ["F1", "低保对象月报表", BUREAU, "乡", "月", "系统", 30],
    ["F2", "拱墅区防汛日报", SIBLING, "乡", "日", "微信", 10],
]
FIELD_ROWS = [
    ["报表编号", "序号", "字段名称", "数据类型", "计量单位"],
    ["F1", 1, "低保户数", "数值", "户"],
    ["F1", 2, "低保人数", "数值", "人"],
]


def write_cast_files(folder: Path) -> Path:
    builders.write_small_county(folder)
    builders.write_xlsx(folder / "应用.xlsx", APP_ROWS)
    builders.write_xlsx(folder / "公众号.xlsx", ACCOUNT_ROWS)
    builders.write_xlsx(folder / "工作群2.xlsx", EXTRA_GROUP_ROWS)
    builders.write_csv(folder / "群成员2.csv", EXTRA_MEMBER_ROWS)
    builders.write_xlsx(folder / "报表.xlsx", FORM_ROWS)
    builders.write_xlsx(folder / "报表字段.xlsx", FIELD_ROWS)
    return folder


def make_user(username: str, unit_code: str | None, role: str) -> User:
    user = User(
        username=username,
        role=role,
        unit=Unit.objects.get(code=unit_code) if unit_code else None,
        is_superuser=role == Role.ADMIN,
        is_staff=role == Role.ADMIN,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def build_cast(folder: Path) -> SimpleNamespace:
    report = import_paths([folder], actor="cli")
    assert report.ok, [e.message() for f in report.files for e in f.errors]
    # A cell a spreadsheet would run as a formula: the export must neutralise it.
    App.objects.filter(code="A1").update(description='=HYPERLINK("http://x","点我")')
    return SimpleNamespace(
        admin=make_user("admin", None, Role.ADMIN),
        province=make_user("province", PROVINCE, Role.OFFICE),
        county=make_user("county", COUNTY, Role.OFFICE),
        department=make_user("bureau", BUREAU, Role.DEPARTMENT),
        discipline=make_user("jiwei", COUNTY, Role.DISCIPLINE),
        cadre=make_user("cadre", TOWNSHIP, Role.CADRE),
        outsider=make_user("outsider", SIBLING, Role.OFFICE),
    )
