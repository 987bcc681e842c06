"""The outcome summary against numbers counted by hand on the cast (tests/reports/conftest.py)."""

import datetime as dt
import statistics
import tempfile
from pathlib import Path

import pytest

from jianfu import analysis
from jianfu.findings.models import AnalysisRun, Finding, RunRollup
from jianfu.findings.snapshot import export_snapshot
from jianfu.registry.models import Unit
from jianfu.reports.summary import ReportError, build_report, parse_window, resolve_region
from tests.cast import COUNTY, SIBLING
from tests.reports.conftest import START

pytestmark = pytest.mark.django_db

# 上城区 (the county office's region) holds P1, P2 (清波社区) and P3 (清波街道).
COUNTY_PEOPLE = {"P1", "P2", "P3"}


def hand_burden(as_of: dt.date) -> dict:
    """Hours per cadre straight from the analysis package's per-person table, summed and ranked by hand."""
    with tempfile.TemporaryDirectory() as folder:
        export_snapshot(Path(folder), as_of=as_of)
        result = analysis.run(Path(folder), as_of=as_of)
    rows = result.tables["per_person"].to_pylist()
    hours = sorted(r["total_h"] for r in rows if r["person_code"] in COUNTY_PEOPLE)
    return {
        "total": sum(hours),
        "p50": statistics.median(hours),
        "p90": statistics.quantiles(hours, n=10, method="inclusive")[8],
        "people": len(hours),
    }


def test_the_county_report_matches_the_hand_count(outcome):
    county = Unit.objects.get(code=COUNTY)
    report = build_report(START, outcome.today, county, user=outcome.county)
    s = report.summary
    assert (s["region"], s["from"], s["to"]) == (COUNTY, START.isoformat(), outcome.today.isoformat())
    # G1, G2, G4 before; G1 merged into G4 today. A1 (app), A2 (platform), AC1, F1 throughout.
    assert s["carriers"] == {
        "groups": {"start": 3, "end": 2},
        "apps": {"start": 1, "end": 1},
        "platforms": {"start": 1, "end": 1},
        "accounts": {"start": 1, "end": 1},
        "forms": {"start": 1, "end": 1},
    }
    # The merge was accepted and then done: it counts once, as done.
    assert s["findings"]["accepted"] == 0 and s["findings"]["rejected"] == 0 and s["findings"]["done"] == 1
    seen = Finding.objects.filter(scope_paths__contains=f"|{county.path}")
    assert s["findings"]["opened"] == seen.count() > 0
    before, after = hand_burden(START), hand_burden(outcome.today)
    assert s["hours_per_month"]["start"] == pytest.approx(before["total"], abs=0.01)
    assert s["hours_per_month"]["end"] == pytest.approx(after["total"], abs=0.01)
    assert s["hours_per_month"]["saved"] == pytest.approx(before["total"] - after["total"], abs=0.02)
    assert s["hours_per_month"]["saved"] > 0  # P1 and P2 no longer read G1
    cadre = s["per_cadre_hours_per_month"]
    assert cadre["start"] == {
        "p50": pytest.approx(before["p50"], abs=0.01),
        "p90": pytest.approx(before["p90"], abs=0.01),
    }
    assert cadre["end"] == {"p50": pytest.approx(after["p50"], abs=0.01), "p90": pytest.approx(after["p90"], abs=0.01)}
    assert s["clues"] == {"received": 0, "closed": 0} and s["cases"] == {"opened": 0, "closed": 0, "overdue": 0}
    # The merged group is listed with its date, keeper and the finding that caused it.
    code, _name, _status, day, into, fid = report.ended["groups"][0]
    assert (code, day, into, fid) == ("G1", outcome.today, "G4", Finding.objects.get(type="duplicate_groups").fid)
    assert [p["people"] for p in report.runs] == [3, 3]


def test_another_county_is_untouched_by_the_merge(outcome):
    s = build_report(START, outcome.today, Unit.objects.get(code=SIBLING), user=outcome.outsider).summary
    assert s["carriers"]["groups"] == {"start": 1, "end": 1} and s["findings"]["done"] == 0


def test_every_run_is_kept_with_its_roll_up(outcome):
    runs = list(AnalysisRun.objects.order_by("as_of"))
    assert [r.as_of for r in runs] == [START, outcome.today]
    for run in runs:
        assert run.summary["findings"] > 0 and run.burden["per_person_hours_per_month"]["people"] == 4
        assert RunRollup.objects.filter(run=run, unit_code=COUNTY).exists()
    # Finding ids stay stable across runs: the merge decided after run 1 is the same row after run 2.
    merge = Finding.objects.get(type="duplicate_groups")
    assert merge.first_seen_id == runs[0].id and merge.status == "done"


def test_the_start_uses_the_last_run_before_the_window(outcome):
    day_after = START + dt.timedelta(days=1)
    report = build_report(day_after, outcome.today, None)
    assert report.start_run.as_of == START and report.end_run.as_of == outcome.today


@pytest.mark.parametrize(
    "start, end, code",
    [("2026-12-02", "2026-12-01", "invalid"), ("2026-1-1", "x", "invalid"), ("2020-01-01", "2020-02-01", "no_runs")],
)
def test_bad_windows_are_refused_clearly(outcome, start, end, code):
    with pytest.raises(ReportError) as caught:
        build_report(*parse_window(start, end), None)
    assert caught.value.code == code and caught.value.message


def test_a_region_outside_the_users_own_is_not_found(outcome):
    with pytest.raises(ReportError) as caught:
        resolve_region(outcome.outsider, COUNTY)
    assert caught.value.code == "not_found"
    with pytest.raises(ReportError) as caught:
        resolve_region(outcome.department, None)
    assert caught.value.code == "forbidden"
    assert resolve_region(outcome.county, None).code == COUNTY
    assert resolve_region(None, None).code == "330000000000"  # the command line: the single root


def test_clues_count_once_the_clue_app_is_installed(outcome):
    from django.apps import apps

    if not apps.is_installed("jianfu.clues"):
        pytest.skip("the clue app is not installed")
    from jianfu.clues.actions import do_file_clue

    do_file_clue(category="F1", region_code="330102001000", description="每天要求在群里打卡接龙")
    do_file_clue(category="F3", region_code=SIBLING, description="积分排名通报")
    county = build_report(START, outcome.today, Unit.objects.get(code=COUNTY), user=outcome.county).summary
    assert county["clues"] == {"received": 1, "closed": 0}
    assert build_report(START, outcome.today, None).summary["clues"]["received"] == 2
