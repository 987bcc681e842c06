"""`jianfu analyze` over the registry: field_mappings, duplicate_forms and consolidation, stored and in --json."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jianfu import cli
from jianfu.elements.models import FieldMapping
from jianfu.findings.models import Finding

pytestmark = pytest.mark.django_db


def test_analyze_json_carries_the_mappings_the_findings_and_the_plan(catalog, tmp_path, as_user):
    out = tmp_path / "analysis.json"
    assert cli.main(["analyze", "--json", str(out), "--quiet", "--as-of", "2026-11-26"]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    mappings = {(m["form"], m["position"]): m for m in doc["field_mappings"]}
    assert mappings[("F1", 1)]["element"] == "DE001" and mappings[("F3", 1)]["element"] == "DE001"
    assert set(mappings[("F1", 1)]) == {"form", "position", "field", "element", "confidence"}
    [finding] = [f for f in doc["findings"] if f["type"] == "duplicate_forms"]
    # F1 asks 低保户数 and 低保人数; F3 asks them too (in other words) of the same townships, and one more.
    assert finding["action"] == "cancel" and finding["items"] == ["F1", "F3"]
    assert finding["evidence"]["shared_elements"] == ["DE001", "DE002"]
    plan = doc["consolidation"]
    assert set(plan) == {
        "forms_before",
        "forms_after",
        "indicators_before",
        "indicators_after",
        "hours_before_per_month",
        "hours_after_per_month",
    }
    assert (plan["forms_before"], plan["forms_after"]) == (3, 2)
    assert plan["hours_before_per_month"] > plan["hours_after_per_month"] > 0
    assert FieldMapping.objects.filter(field__form__code="F3", element__code="DE004").exists()
    stored = Finding.objects.get(type="duplicate_forms")
    # The finding belongs to the bureau's county: its officers see it, the other county's do not.
    assert as_user(catalog.county).get(f"/findings/{stored.fid}/").status_code == 200
    assert as_user(catalog.outsider).get(f"/findings/{stored.fid}/").status_code == 404
    assert dt.date(2026, 11, 26)
