"""Stored findings on a hand-written county: expected findings, stable ids, decisions kept across runs."""

import datetime as dt
import json

import pytest

from jianfu.cli import main
from jianfu.findings.actions import DecisionError, do_decide_finding
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store
from jianfu.registry.importing import import_paths
from tests.builders import write_xlsx
from tests.formats import FINDING_KEYS

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 26)


def found(type_, rule=None):
    return {tuple(f.items) for f in Finding.objects.filter(type=type_, is_current=True) if rule in (None, f.rule)}


def test_the_hand_written_county_yields_the_expected_findings(cast):
    document = run_and_store(as_of=AS_OF, actor="test")
    assert document["summary"]["findings"] == Finding.objects.count() > 0
    assert ("G1",) in found("expired_group") and ("G3",) in found("expired_group")
    assert ("G4",) not in found("expired_group")  # standing group
    assert {("G1",), ("G2",), ("G3",), ("G4",)} <= found("idle_group")  # last active 2024
    assert ("G1",) in found("group_demand", "F1") and ("G2",) in found("group_demand", "F2")
    assert ("A1",) in found("forced_feature", "F1") and ("A1",) in found("forced_feature", "F3")
    assert ("A3",) in found("forced_feature", "F2")
    assert ("AC2",) in found("stale_account") and ("AC1",) in found("account_assessment")
    a1 = next(f for f in Finding.objects.filter(type="forced_feature", rule="F1") if f.items == ["A1"])
    assert a1.owner.code == "330102000001" and a1.owner_path.endswith("/330102000001/") and a1.reason


def test_a_rerun_keeps_decisions_and_replaces_open_findings(cast):
    run_and_store(as_of=AS_OF, actor="test")
    ids = set(Finding.objects.values_list("fid", flat=True))
    accepted = Finding.objects.filter(type="expired_group").first()
    rejected = Finding.objects.filter(type="idle_group").first()
    do_decide_finding(accepted, "accepted", "", acting_user=cast.county)
    do_decide_finding(rejected, "rejected", "群仍在使用", acting_user=cast.county)
    run_and_store(as_of=AS_OF, actor="test")
    assert set(Finding.objects.values_list("fid", flat=True)) == ids
    assert Finding.objects.get(pk=accepted.pk).status == "accepted"
    assert Finding.objects.get(pk=rejected.pk).decision_reason == "群仍在使用"
    # Moving the analysis date back makes the temporary groups current again: the accepted one is kept
    # (no longer current), the open ones are gone.
    run_and_store(as_of=dt.date(2024, 8, 1), actor="test")
    kept = Finding.objects.get(pk=accepted.pk)
    assert kept.status == "accepted" and not kept.is_current
    assert not Finding.objects.filter(type="expired_group", status="open").exclude(items=kept.items).exists()


def test_decisions_refuse_illegal_moves(cast):
    run_and_store(as_of=AS_OF, actor="test")
    finding = Finding.objects.first()
    with pytest.raises(DecisionError):
        do_decide_finding(finding, "rejected", "", acting_user=cast.county)  # a reason is required
    with pytest.raises(DecisionError):
        do_decide_finding(finding, "done", "", acting_user=cast.county)  # done only after accepted
    with pytest.raises(DecisionError):
        do_decide_finding(finding, "accepted", "", acting_user=cast.discipline)


def test_items_of_a_rejected_import_never_appear(cast, tmp_path):
    rows = [
        ["编号", "群名称", "平台", "主管单位", "性质", "任务结束日期", "要求"],
        ["G9", "打卡群", "微信", "330102000001", "临时", "2020-01-01", "打卡接龙"],
        ["G10", "坏群", "微信", "330102000001", "临时", "不知道", ""],
    ]
    assert not import_paths([write_xlsx(tmp_path / "g.xlsx", rows)]).ok
    document = run_and_store(as_of=AS_OF, actor="test")
    assert not any("G9" in f["items"] for f in document["findings"])


def test_cli_analyze_writes_the_spec_json_and_xlsx(cast, tmp_path, capsys):
    assert (
        main(
            [
                "analyze",
                "--as-of",
                "2026-11-26",
                "--quiet",
                "--json",
                str(tmp_path / "f.json"),
                "--xlsx",
                str(tmp_path / "f.xlsx"),
            ]
        )
        == 0
    )
    document = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    assert set(document) >= {"generated_at", "summary", "findings", "burden"}
    assert set(document["summary"]) >= {"findings", "hours_saved_per_month"}
    assert set(document["burden"]["per_person_hours_per_month"]) >= {"p50", "p90", "max"}
    first = document["findings"][0]
    assert set(first) >= FINDING_KEYS
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    assert sheet.max_row == len(document["findings"]) + 2  # header, findings, the total
    total = list(sheet.iter_rows(min_row=sheet.max_row, values_only=True))[0]
    assert total[0].startswith("合计") and total[6] == document["summary"]["hours_saved_per_month"]
    assert f"{document['summary']['hours_saved_per_month']:.1f} 小时" in capsys.readouterr().out


def test_thresholds_and_regional_burden_come_from_analysis_json(cast, settings):
    from pathlib import Path

    config_file = Path(settings.JIANFU_HOME) / "analysis.json"
    config_file.write_text(
        json.dumps(
            {
                "idle_group_days": 100000,
                "burden": {"workdays_per_month": 21.75},
                "region_overrides": {"330105000000": {"workdays_per_month": 10}},
            }
        ),
        encoding="utf-8",
    )
    try:
        from jianfu.findings.running import load_config

        config = load_config()
        assert config.idle_group_days == 100000 and config.burden.workdays_per_month == 21.75
        assert config.params_for_path("/330000000000/330100000000/330105000000/").workdays_per_month == 10
        run_and_store(as_of=AS_OF, actor="test")
        assert not found("idle_group")
        config_file.write_text(json.dumps({"idle_days": 3}), encoding="utf-8")
        with pytest.raises(ValueError, match="idle_days"):
            load_config()
    finally:
        config_file.unlink()
