"""`jianfu report`: the files it writes and the exit code of each bad input (jianfu.bootstrap's codes)."""

import json

import pytest

from jianfu.bootstrap import EXIT_FAILED, EXIT_OK
from jianfu.cli import main
from tests.cast import COUNTY
from tests.reports.conftest import START

pytestmark = pytest.mark.django_db


def test_it_writes_the_four_formats(outcome, tmp_path, capsys):
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "docx", "pdf", "xlsx")}
    code = main(
        [
            "report",
            "--from",
            START.isoformat(),
            "--to",
            outcome.today.isoformat(),
            "--region",
            COUNTY,
            *[arg for fmt, path in out.items() for arg in (f"--{fmt}", str(path))],
        ]
    )
    assert code == EXIT_OK
    summary = json.loads(out["json"].read_text(encoding="utf-8"))
    assert summary["region"] == COUNTY and summary["carriers"]["groups"] == {"start": 3, "end": 2}
    assert out["docx"].read_bytes()[:2] == b"PK" and out["xlsx"].read_bytes()[:2] == b"PK"
    assert out["pdf"].read_bytes()[:4] == b"%PDF"
    assert "工作群" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-12-31", "--to", "2026-12-01"], "晚于结束日期"),
        (["--from", "2020-01-01", "--to", "2020-02-01"], "没有分析记录"),
        (["--from", "2026-11-01", "--to", "2026-12-31", "--region", "999999999999"], "不存在"),
        (
            ["--from", "2026-11-01", "--to", "2026-12-31", "--region", COUNTY, "--user", "outsider"],
            "不在您的管辖区域内",
        ),
        (["--from", "2026-11-01", "--to", "2026-12-31", "--user", "bureau"], "不能查看"),
    ],
)
def test_bad_input_exits_1_with_a_clear_message(outcome, capsys, args, message):
    assert main(["report", *args]) == EXIT_FAILED
    assert message in capsys.readouterr().err
