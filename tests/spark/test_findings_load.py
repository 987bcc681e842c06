"""`jianfu findings load PATH`: a result written as Parquet (by a cluster run) is stored like `jianfu analyze`."""

from __future__ import annotations

import json

import pytest

from jianfu.analysis import run, write_snapshot
from jianfu.analysis.output import write_result
from jianfu.cli import main
from jianfu.findings.models import AnalysisRun, Finding
from tests.analysis.helpers import AS_OF, UNITS, group, members_of

pytestmark = pytest.mark.django_db


def result_folder(tmp_path):
    snapshot = write_snapshot(
        {
            "units": UNITS,
            "groups": [group("G1"), group("G2"), group("G3", nature="temporary", task_end_date=AS_OF.replace(day=1))],
            "members": members_of({"G1": ["P1", "P2", "P3", "P4", "P5"], "G2": ["P1", "P2", "P3", "P4", "P5"]}),
        },
        tmp_path / "snap",
    )
    result = run(snapshot, AS_OF)
    write_result(result, str(tmp_path / "out"), engine="spark", generated_at="2026-11-26T10:00:00+08:00")
    return tmp_path / "out", result


def test_it_stores_the_findings_with_their_ids(tmp_path, capsys):
    folder, result = result_folder(tmp_path)
    out = tmp_path / "loaded.json"
    assert main(["findings", "load", str(folder), "--json", str(out)]) == 0
    stored = {f.fid: f for f in Finding.objects.filter(is_current=True)}
    assert set(stored) == {f["id"] for f in result.findings} and len(stored) >= 2
    merged = next(f for f in stored.values() if f.type == "duplicate_groups")
    assert sorted(merged.items) == ["G1", "G2"] and merged.reason
    assert merged.reason_template and merged.arithmetic  # the private keys travelled too
    run_row = AnalysisRun.objects.get()
    assert run_row.as_of == AS_OF and run_row.finished_at is not None
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {f["id"] for f in document["findings"]} == set(stored)
    assert document["burden"] == result.burden
    assert "分析结果已载入" in capsys.readouterr().out


def test_loading_twice_keeps_one_finding_each(tmp_path):
    folder, result = result_folder(tmp_path)
    assert main(["findings", "load", str(folder)]) == 0
    assert main(["findings", "load", str(folder)]) == 0
    assert Finding.objects.count() == len(result.findings)


def test_a_folder_that_is_not_a_result_is_refused(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["findings", "load", str(tmp_path / "empty")]) == 1
    assert "无法载入分析结果" in capsys.readouterr().err
    assert not Finding.objects.exists() and not AnalysisRun.objects.exists()
