"""Calibration arithmetic on hand-counted answers, and the calibrated parameters reaching the burden model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jianfu import analysis
from jianfu.analysis.calibration import Answer, calibrate, with_region_overrides
from jianfu.analysis.config import AnalysisConfig, BurdenParams

WEEKS = 4.348


def group(minutes):
    return Answer(kind="group", carrier="G", minutes_per_week=minutes, messages_30d=0, demands=())


def app(minutes, mau=None):
    return Answer(kind="app", carrier="A", minutes_per_week=minutes, monthly_active_users=mau, scope_people=100)


def test_groups_scale_by_the_ratio_of_sums():
    # Model: a quiet group with no demands costs attention only: 10 min a month per member, 50 for five.
    # Measured: 1+1+1+1+2 = 6 min a week = 6 × 4.348 = 26.088 min a month. Ratio 26.088 / 50 = 0.52176.
    result = calibrate(BurdenParams(), [group(1), group(1), group(1), group(1), group(2)])
    report = result.kinds["group"]
    assert report.answers == 5 and report.model_min == 50.0 and report.measured_min == pytest.approx(26.09, abs=0.01)
    assert report.ratio == pytest.approx(0.5218, abs=1e-4)
    assert result.overrides["group_attention_minutes"] == pytest.approx(5.218, abs=1e-3)
    assert result.overrides["group_read_seconds_per_message"] == pytest.approx(2.609, abs=1e-3)
    assert result.overrides["group_demands"]["打卡接龙"] == {"minutes": pytest.approx(1.0435, abs=1e-4)}
    assert report.calibrated_min == pytest.approx(26.09, abs=0.01)


def test_apps_take_their_active_share_from_the_survey_then_scale():
    # Five answers about apps of unknown MAU; two report any time → share 2/5 = 0.4.
    # Model with share 0.4: 0.4 × 10 sessions × 3 min = 12 min a month each, 60 for five.
    # Measured: (6 + 6) × 4.348 = 52.176. Ratio 52.176 / 60 = 0.8696; minutes per session 3 × 0.8696 = 2.6088.
    result = calibrate(BurdenParams(), [app(6), app(6), app(0), app(0), app(0)])
    report = result.kinds["app"]
    assert report.share == 0.4 and result.overrides["app_active_share_default"] == 0.4
    assert report.model_min == 5 * 0.3 * 30  # before: the default share 0.3
    assert report.ratio == pytest.approx(0.8696, abs=1e-4)
    assert result.overrides["app_minutes_per_session"] == pytest.approx(2.6088, abs=1e-4)


def test_four_answers_change_nothing_five_do():
    assert calibrate(BurdenParams(), [group(1)] * 4).overrides == {}
    assert calibrate(BurdenParams(), [group(1)] * 4).kinds["group"].reason == "too_few_answers"
    assert "group_attention_minutes" in calibrate(BurdenParams(), [group(1)] * 5).overrides


def test_forms_timed_by_the_registry_are_not_calibrated():
    stated = [
        Answer(kind="form", carrier="F", minutes_per_week=9, frequency="month", minutes_per_filing=30, sharing_people=3)
    ] * 6
    result = calibrate(BurdenParams(), stated)
    assert result.overrides == {} and result.kinds["form"].reason == "forms_timed_by_registry"
    # The model's figure is still shown beside the measured one: 30 min a month shared by 3 people = 10 each.
    assert result.kinds["form"].model_min == 60.0


def test_a_wild_ratio_is_clamped():
    assert calibrate(BurdenParams(), [group(2400)] * 5).kinds["group"].ratio == 20.0


def test_calibrated_overrides_win_over_the_file_for_the_same_region():
    config = AnalysisConfig(
        region_overrides={
            "330102000000": {
                "group_attention_minutes": 15,
                "workdays_per_month": 21,
                "app_features": {"打卡签到": {"minutes": 3}},
            }
        }
    )
    merged = with_region_overrides(
        config, {"330102000000": {"group_attention_minutes": 4, "app_features": {"定期登录": {"minutes": 1}}}}
    )
    params = merged.params_for_path("/330000000000/330102000000/")
    assert params.group_attention_minutes == 4 and params.workdays_per_month == 21
    assert params.app_features["打卡签到"].minutes == 3 and params.app_features["定期登录"].minutes == 1
    assert config.region_overrides["330102000000"]["group_attention_minutes"] == 15  # the original is untouched


@pytest.mark.django_db
def test_the_burden_model_uses_a_stored_calibration(cast, tmp_path):
    from jianfu.findings.running import load_config
    from jianfu.findings.snapshot import export_snapshot
    from jianfu.registry.models import Unit
    from jianfu.surveys.models import RegionCalibration

    export_snapshot(Path(tmp_path))
    before = analysis.run(Path(tmp_path), as_of=dt.date(2026, 11, 26), config=load_config())
    county = Unit.objects.get(code="330102000000")
    RegionCalibration.objects.create(
        region=county, owner_path=county.path, applied_by="test", overrides={"group_attention_minutes": 40.0}
    )
    after = analysis.run(Path(tmp_path), as_of=dt.date(2026, 11, 26), config=load_config())

    def person(result, code):
        rows = result.tables["per_person"].to_pylist()
        return next(r for r in rows if r["person_code"] == code)

    # P1 (上城区) is in G1, G2, G3 and G4: four groups × 30 more minutes a month = 2 h, even for 拱墅区's G3 (a
    # person is costed with the parameters of their own unit). P4 (拱墅区) is not calibrated.
    assert person(after, "P1")["groups_h"] - person(before, "P1")["groups_h"] == pytest.approx(2.0, abs=1e-6)
    assert person(after, "P4")["total_h"] == pytest.approx(person(before, "P4")["total_h"])
