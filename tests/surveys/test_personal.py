"""A person's carriers, one by one, add up to what the SQL burden model counts for that person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jianfu import analysis
from jianfu.analysis.config import AnalysisConfig
from jianfu.findings.snapshot import export_snapshot
from jianfu.registry.models import Person
from jianfu.surveys.carriers import Bearing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "config",
    [
        AnalysisConfig(),
        AnalysisConfig(
            region_overrides={
                "330102000000": {
                    "group_attention_minutes": 25,
                    "app_minutes_per_session": 5,
                    "form_minutes_base": 30,
                    "app_active_share_default": 0.5,
                },
                "330102001000": {"account_assessments": {"点赞转发考核": {"minutes": 3}}},
            }
        ),
    ],
    ids=["defaults", "region-overrides"],
)
def test_carriers_add_up_to_the_models_person_total(crowd, tmp_path, config):
    export_snapshot(Path(tmp_path))
    result = analysis.run(Path(tmp_path), as_of=dt.date(2026, 11, 26), config=config)
    totals = {r["person_code"]: r for r in result.tables["per_person"].to_pylist()}
    bearing = Bearing(config)
    checked = 0
    for person in Person.objects.select_related("unit"):
        carriers = bearing.carriers(person)
        row = totals[person.code]
        by_kind = {
            kind: sum(c.hours for c in carriers if c.kind == kind) for kind in ("app", "group", "account", "form")
        }
        assert by_kind["app"] == pytest.approx(row["apps_h"], abs=1e-6), person.code
        assert by_kind["group"] == pytest.approx(row["groups_h"], abs=1e-6), person.code
        assert by_kind["account"] == pytest.approx(row["accounts_h"], abs=1e-6), person.code
        assert by_kind["form"] == pytest.approx(row["forms_h"], abs=1e-6), person.code
        checked += 1
    assert checked == 8


def test_p1_bears_its_groups_the_apps_of_its_regions_and_the_accounts_that_assess(crowd):
    p1 = Person.objects.get(code="P1")
    carriers = {(c.kind, c.code) for c in Bearing(AnalysisConfig()).carriers(p1)}
    assert {("group", g) for g in ("G1", "G2", "G3", "G4")} <= carriers
    assert ("app", "A1") in carriers and ("app", "A2") in carriers  # 上城区民政局's and 清波街道's
    assert ("app", "A3") not in carriers  # 拱墅区's app is not borne in 上城区
    assert ("account", "AC1") in carriers and ("account", "AC2") not in carriers
