"""The importer against a real database: messy files, the rejection contract, idempotence, PII."""

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from jianfu.cli import registry_stats
from jianfu.registry.importing import import_paths
from jianfu.registry.models import App, ImportBatch, Membership, Person, Unit, WorkGroup
from tests import builders
from tests.builders import write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def test_it_imports_a_hand_written_county(tmp_path: Path):
    report = import_paths([builders.write_small_county(tmp_path / "county")])
    assert report.ok, [e.message() for f in report.files for e in f.errors]
    assert registry_stats() | {} == {
        "units": 8,
        "people": 4,
        "apps": 0,
        "platforms": 0,
        "accounts": 0,
        "groups": 2,
        "memberships": 4,
        "forms": 0,
        "fields": 0,
    }
    g1 = WorkGroup.objects.get(code="G1")
    assert (g1.nature, str(g1.task_end_date), str(g1.last_active), g1.member_count) == (
        "temporary",
        "2024-09-01",
        "2024-10-01",
        2,
    )
    assert WorkGroup.objects.get(code="G2").demands == ["截图留痕", "定位打卡"]
    assert (
        Unit.objects.get(code="330102001001").path
        == "/330000000000/330100000000/330102000000/330102001000/330102001001/"
    )
    assert Unit.objects.get(code="330102000001").is_region is False


def test_files_are_imported_in_dependency_order(tmp_path: Path):
    folder = builders.write_small_county(tmp_path / "c")
    (folder / "群成员.csv").rename(folder / "a_members.csv")
    (folder / "单位.xlsx").rename(folder / "z_units.xlsx")
    report = import_paths([folder])
    assert [f.kind for f in report.files] == ["units", "people", "groups", "members"]
    assert report.ok


def test_reimport_changes_nothing(tmp_path: Path):
    folder = builders.write_small_county(tmp_path / "c")
    import_paths([folder])
    before = list(Person.objects.values("code", "updated_at", "batch_id"))
    report = import_paths([folder])
    assert report.ok
    assert all(f.created == 0 and f.updated == 0 and f.unchanged == f.rows for f in report.files)
    assert list(Person.objects.values("code", "updated_at", "batch_id")) == before
    assert registry_stats()["memberships"] == 4


def test_reimport_with_a_change_updates_in_place(tmp_path: Path):
    folder = builders.write_small_county(tmp_path / "c")
    import_paths([folder])
    rows = [list(r) for r in builders.PEOPLE_ROWS]
    rows[1][4] = "书记"
    write_csv(folder / "人员.csv", rows, encoding="gbk")
    report = import_paths([folder / "人员.csv"])
    assert (report.files[0].updated, report.files[0].unchanged) == (1, 3)
    person = Person.objects.get(code="P1")
    assert person.post == "书记" and person.batch_id == report.files[0].batch_id
    assert Person.objects.count() == 4


def test_a_bad_cell_rejects_the_file_and_writes_nothing(tmp_path: Path):
    folder = builders.write_small_county(tmp_path / "c")
    import_paths([folder / "单位.xlsx", folder / "人员.csv"])
    before = registry_stats()
    rows = [list(r) for r in builders.GROUP_ROWS] + [
        ["G3", "新群", "微信", "P1", "330102000001", "2024/13/45", "临时", None, None, None, "", ""]
    ]
    write_xlsx(folder / "工作群.xlsx", rows)
    report = import_paths([folder / "工作群.xlsx", folder / "群成员.csv"])
    groups, members = report.files
    assert groups.status == members.status == ImportBatch.Status.REJECTED
    (error,) = groups.errors
    assert (error.file, error.row, error.column, error.value) == ("工作群.xlsx", 4, "建群时间", "2024/13/45")
    assert "日期" in error.message() and "第 4 行" in error.message()
    assert all("被拒绝的文件「工作群.xlsx」" in e.expected for e in members.errors)
    assert registry_stats() == before
    batch = ImportBatch.objects.get(id=groups.batch_id)
    assert batch.error_count == 1 and batch.errors[0]["row"] == 4 and batch.sha256


def test_a_rejected_file_leaves_earlier_objects_untouched(tmp_path: Path):
    folder = builders.write_small_county(tmp_path / "c")
    import_paths([folder])
    rows = [list(r) for r in builders.PEOPLE_ROWS]
    rows[1][4] = "书记"  # a valid change in row 2 …
    rows[3][2] = "139-1234-567"  # … and a bad phone in row 4
    write_csv(folder / "人员.csv", rows, encoding="gbk")
    report = import_paths([folder / "人员.csv"])
    assert not report.ok
    assert report.files[0].errors[0].value == "139****4567"  # phones stay masked even in errors
    assert Person.objects.get(code="P1").post == "网格员"


def test_members_by_name_and_phone(tmp_path: Path):
    folder = builders.write_small_county(tmp_path / "c")
    import_paths([folder])
    path = write_xlsx(
        tmp_path / "成员.xlsx",
        [["群编号", "姓名", "手机号"], ["G2", "李四", "139 1234 5678"], ["G2", "王五", "13700000000"]],
    )
    report = import_paths([path])
    assert not report.ok and "姓名和手机号" in report.files[0].errors[0].expected
    write_xlsx(path, [["群编号", "姓名", "手机号"], ["G2", "李四", "139 1234 5678"]])
    assert import_paths([path]).ok
    assert Membership.objects.filter(group__code="G2", person__code="P2").exists()
    assert WorkGroup.objects.get(code="G2").member_count == 3


def test_apps_with_every_messy_shape(tmp_path: Path):
    builders.write_small_county(tmp_path / "c")
    import_paths([tmp_path / "c" / "单位.xlsx"])
    rows = [
        [
            "編號",
            "應用名稱",
            "類別",
            "主管單位",
            "上線時間",
            "最近更新",
            "注冊用戶數（人）",
            "月活躍用戶數（人）",
            "功能",
            "強制功能",
            "描述",
        ],
        [
            "A1",
            "清波通",
            "APP",
            "330102000001",
            "2023.1.5",
            45413,
            "1,200",
            "30",
            "信息報送；通知公告",
            "打卡簽到、積分排名",
            "社区事务",
        ],
        [
            "A2",
            "民政统计平台",
            "平臺",
            "330102000001",
            "20230105",
            "2024年5月1日",
            500,
            100,
            "数据采集\n事项办理",
            "",
            "",
        ],
    ]
    report = import_paths([write_xlsx(tmp_path / "应用.xlsx", rows, title="应用程序清单")])
    assert report.ok, [e.message() for e in report.files[0].errors]
    app = App.objects.get(code="A1")
    assert (app.registered_users, app.functions, app.forced_features) == (
        1200,
        ["信息报送", "通知公告"],
        ["打卡签到", "积分排名"],
    )
    assert str(app.last_update) == "2024-05-01"
    assert registry_stats()["platforms"] == 1 and registry_stats()["apps"] == 1


def test_dry_run_writes_nothing(tmp_path: Path):
    report = import_paths([builders.write_small_county(tmp_path / "c")], dry_run=True)
    assert report.ok and report.files[0].status == ImportBatch.Status.DRY_RUN
    assert registry_stats()["units"] == 0


def test_import_scope_refuses_units_outside_the_region(tmp_path: Path):
    folder = builders.write_small_county(tmp_path / "c")
    import_paths([folder / "单位.xlsx"])
    scope = Unit.objects.get(code="330102000000")
    report = import_paths([folder / "人员.csv"], scope=scope)
    assert not report.ok
    assert [e.row for e in report.files[0].errors] == [5]  # P4 belongs to 拱墅区, a sibling county


@pytest.mark.django_db(transaction=True)
def test_no_clear_phone_number_is_stored(tmp_path: Path, settings):
    import_paths([builders.write_small_county(tmp_path / "c")])
    bad = write_csv(
        tmp_path / "bad.csv", [["人员编号", "姓名", "手机号", "所属单位"], ["P9", "孙七", "1391234567", "X"]]
    )
    import_paths([bad])
    digits = ["13812345678", "13912345678", "13712345678", "13612345678", "1391234567"]
    if connection.vendor == "sqlite":
        database = Path(settings.DATABASES["default"]["NAME"])
        files = [f for f in database.parent.glob(database.name + "*") if f.is_file()]
        assert files
        for file in files:
            # Read by another process: closing any descriptor of a SQLite file in this one drops every POSIX lock
            # this process's connections hold on it, and a later import process then deletes a WAL still in use.
            data = subprocess.run(["cat", str(file)], capture_output=True, check=True).stdout
            for number in digits:
                assert number.encode() not in data, file
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            dump = repr(cursor.fetchall())
            for number in digits:
                assert number not in dump, table
    assert Person.objects.get(code="P1").phone_masked == "138****5678"
