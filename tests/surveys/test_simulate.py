"""`jianfu surveys simulate` issues real links, answers through the form's path, and says the answers are simulated."""

from __future__ import annotations

import json

import pytest

from jianfu import cli
from jianfu.surveys.models import RegionCalibration, Survey, SurveyLink, SurveyReturn

pytestmark = pytest.mark.django_db


def test_simulate_then_results_and_apply(crowd, capsys, tmp_path):
    assert cli.main(["surveys", "simulate", "--region", "330102000000", "--response-rate", "1", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "模拟" in out and "不是真实干部的回答" in out
    survey = Survey.objects.get()
    assert survey.simulated
    assert SurveyLink.objects.filter(used_on__isnull=False).count() == SurveyReturn.objects.count() == 7
    assert cli.main(["surveys", "results", survey.code, "--json", str(tmp_path / "r.json")]) == 0
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc["simulated"] and doc["respondents"] == 7 and doc["kinds"]["group"]["answers"] >= 5
    assert cli.main(["surveys", "apply", survey.code]) == 0
    assert "group_attention_minutes" in RegionCalibration.objects.get(region__code="330102000000").overrides
    assert cli.main(["surveys", "results", "SNOPE"]) == 1
