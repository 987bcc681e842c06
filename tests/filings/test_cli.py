"""`jianfu precheck` (spec/formats.md: JSON shape, exit codes, writes nothing) and `jianfu filings`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps

from jianfu.cli import main
from jianfu.filings import actions
from jianfu.filings.models import Filing
from tests.builders import write_csv, write_xlsx
from tests.cast import BUREAU, TOWNSHIP
from tests.proposals import make_proposal

pytestmark = pytest.mark.django_db

GROUPS = [
    ["编号", "群名称", "平台", "主管单位", "性质", "任务结束日期", "用途"],
    ["NEW-G1", "防汛工作群2", "微信", BUREAU, "临时", "2099-10-01", "防汛"],
    ["NEW-G2", "上城区平安巡防群", "钉钉", BUREAU, "常设", None, "平安巡防"],
]
MEMBERS = [["群编号", "人员编号"], ["NEW-G1", "P1"], ["NEW-G1", "P2"], ["NEW-G2", "P3"]]
APPS = [
    ["编号", "名称", "类别", "主管单位", "功能", "强制功能", "描述"],
    ["NEW-A1", "上城区养老服务补贴申领系统", "APP", BUREAU, "补贴申领；资格审核", "", "老年人在线申领养老服务补贴"],
]


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_precheck_json_and_exit_2_when_a_proposal_breaks_a_rule(cast, tmp_path: Path, capsys):
    write_xlsx(tmp_path / "工作群.xlsx", GROUPS)
    write_csv(tmp_path / "群成员.csv", MEMBERS)
    before = counts()
    out = tmp_path / "precheck.json"
    assert main(["precheck", str(tmp_path / "工作群.xlsx"), str(tmp_path / "群成员.csv"), "--json", str(out)]) == 2
    assert counts() == before
    document = json.loads(out.read_text(encoding="utf-8"))
    by_code = {p["code"]: p for p in document["proposals"]}
    dup = by_code["NEW-G1"]
    assert dup["kind"] == "groups" and dup["similar"][0]["code"] == "G1"
    assert dup["similar"][0]["evidence"]["jaccard"] == 1.0 and len(dup["similar"]) <= 10
    scores = [s["score"] for s in dup["similar"]]
    assert scores == sorted(scores, reverse=True)
    assert {"rule": "F4"}.items() <= dup["violations"][0].items() and dup["violations"][0]["reason"]
    assert by_code["NEW-G2"]["violations"] == []
    assert "NEW-G1" in capsys.readouterr().out


def test_precheck_exit_0_for_a_clean_proposal(cast, tmp_path: Path):
    write_xlsx(tmp_path / "应用.xlsx", APPS)
    assert main(["precheck", "--quiet", str(tmp_path)]) == 0


def test_precheck_reports_forced_features_and_levels(cast, tmp_path: Path):
    rows = [
        APPS[0],
        [*APPS[1][:5], "积分排名", APPS[1][6]],
        ["NEW-A2", "清波街道通", "APP", TOWNSHIP, "通知公告", "", "街道"],
    ]
    write_xlsx(tmp_path / "应用.xlsx", rows)
    out = tmp_path / "r.json"
    assert main(["precheck", "--quiet", str(tmp_path / "应用.xlsx"), "--json", str(out)]) == 2
    rules = {p["code"]: {v["rule"] for v in p["violations"]} for p in json.loads(out.read_text())["proposals"]}
    assert rules == {"NEW-A1": {"F3"}, "NEW-A2": {"LEVEL"}}


def test_precheck_exit_1_when_a_file_cannot_be_read(cast, tmp_path: Path, capsys):
    bad = [APPS[0], ["NEW-A9", "坏应用", "外星类别", BUREAU, "x", "", ""]]
    write_xlsx(tmp_path / "应用.xlsx", bad)
    assert main(["precheck", str(tmp_path / "应用.xlsx")]) == 1
    assert "外星类别" in capsys.readouterr().err
    assert main(["precheck", str(tmp_path / "nope.xlsx")]) == 1


def test_filings_list_export_expire_and_offcatalog(cast, city, tmp_path: Path, capsys):
    proposal = make_proposal(
        cast.department, "groups", name="汛期值守临时群", details={"members": ["P3"], "task_end_date": "2099-01-31"}
    )
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    actions.do_approve_proposal(proposal, step=0, criteria={"3": "yes"}, acting_user=cast.county)
    filing = Filing.objects.get()
    capsys.readouterr()
    assert main(["filings", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["filings"]
    assert [f["number"] for f in listed] == [filing.number] and listed[0]["expires_on"] == "2099-01-31"
    assert main(["filings", "export", str(tmp_path / "f.xlsx"), "--kind", "groups"]) == 0
    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    assert sheet.cell(2, 1).value == filing.number
    assert main(["filings", "expire", "--as-of", "2099-02-01"]) == 0
    assert "置为到期 1 条" in capsys.readouterr().out
    assert Filing.objects.get().status == "expired"
    out = tmp_path / "off.json"
    assert main(["filings", "offcatalog", "--json", str(out)]) == 0
    off = json.loads(out.read_text())
    assert {a["code"] for a in off["apps"]} == {"A1", "A2", "A3"} and filing.item_code not in {
        g["code"] for g in off["groups"]
    }
    assert dt.date.fromisoformat("2099-01-31") == filing.expires_on
