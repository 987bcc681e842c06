"""The command-line contract of spec/formats.md: stats keys, import exit codes, user add."""

import io
import json
from pathlib import Path

import pytest

from jianfu.cli import main
from tests import builders
from tests.builders import write_xlsx

pytestmark = pytest.mark.django_db

STATS_KEYS = ["units", "people", "apps", "platforms", "accounts", "groups", "memberships", "forms", "fields"]


def stats(capsys) -> dict:
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_stats_prints_one_json_object_with_the_spec_keys(capsys):
    # The spec's keys, in its order; 一表通 is one more key after them (tests/elements/test_stats.py).
    assert list(stats(capsys)) == [*STATS_KEYS, "catalog"]


def test_import_exits_0_when_all_files_are_imported(tmp_path: Path, capsys):
    assert main(["import", "--quiet", str(builders.write_small_county(tmp_path / "c"))]) == 0
    assert stats(capsys)["memberships"] == 4


def test_import_exits_2_and_writes_nothing_when_a_file_is_rejected(tmp_path: Path, capsys):
    folder = builders.write_small_county(tmp_path / "c")
    rows = [list(r) for r in builders.UNIT_ROWS]
    rows[3][3] = "大区"
    write_xlsx(folder / "单位.xlsx", rows)
    assert main(["import", "--quiet", "--json", str(tmp_path / "r.json"), str(folder)]) == 2
    err = capsys.readouterr().err
    assert "文件「单位.xlsx」工作表「Sheet1」第 4 行列「层级」：值「大区」" in err
    assert {key: value for key, value in stats(capsys).items() if key in STATS_KEYS} == dict.fromkeys(STATS_KEYS, 0)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["ok"] is False and report["files"][0]["errors"][0]["row"] == 4


def test_import_dry_run_writes_nothing(tmp_path: Path, capsys):
    assert main(["import", "--quiet", "--dry-run", str(builders.write_small_county(tmp_path / "c"))]) == 0
    assert stats(capsys)["units"] == 0


def test_user_add_reads_the_password_from_stdin(tmp_path: Path, capsys, monkeypatch):
    main(["import", "--quiet", str(builders.write_small_county(tmp_path / "c"))])
    monkeypatch.setattr("sys.stdin", io.StringIO("Zheng-que-mi-ma-2026\n"))
    assert main(["user", "add", "wang", "--unit", "330102000000", "--role", "office"]) == 0
    from jianfu.accounts.models import User

    user = User.objects.get(username="wang")
    assert user.unit.code == "330102000000" and user.role == "office" and user.check_password("Zheng-que-mi-ma-2026")
    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    assert (
        main(["user", "add", "li", "--unit", "330102000000", "--role", "office"]) == 2
    )  # rejected input, like a rejected import file
