"""`jianfu stats` counts 一表通: the catalog, mapped and unmapped fields, issued forms and the pre-filled share."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jianfu.cli import main
from jianfu.elements import actions
from jianfu.elements.models import DataElement
from jianfu.registry.models import Form, FormField

pytestmark = pytest.mark.django_db
SPEC_KEYS = ["units", "people", "apps", "platforms", "accounts", "groups", "memberships", "forms", "fields"]


def _stats(capsys, *extra) -> str:
    capsys.readouterr()
    assert main(["stats", *extra]) == 0
    return capsys.readouterr().out


def test_stats_json_keeps_the_spec_keys_and_adds_the_catalog(catalog, capsys):
    before = json.loads(_stats(capsys, "--json"))
    assert list(before)[: len(SPEC_KEYS)] == SPEC_KEYS and before["fields"] == 5
    assert before["catalog"]["elements"] == 5 and before["catalog"]["form_issues"] == 0
    assert before["catalog"]["fields_not_analysed"] == 5 and before["catalog"]["prefilled_share"] == 0.0
    actions.do_propose_element(code="DEC2", name="专职网格员总数", acting_user=catalog.county)
    # Issuing F1 maps its two fields (低保户数, 低保人数), both held for 清波街道 in 2026-11.
    actions.do_issue_form(
        Form.objects.get(code="F1"),
        period="2026-11",
        deadline=dt.date.today() + dt.timedelta(days=7),
        acting_user=catalog.county,
    )
    actions.do_confirm_mapping(FormField.objects.get(form__code="F3", position=3), None, acting_user=catalog.county)
    after = json.loads(_stats(capsys, "--json"))["catalog"]
    assert after == {
        "elements": 5,
        "candidate_elements": 1,
        "fields_mapped": 2,
        "fields_unmapped": 1,
        "fields_not_analysed": 2,
        "fields_confirmed": 1,
        "form_issues": 1,
        "issue_copies": 1,
        "copies_submitted": 0,
        "copy_fields": 2,
        "copy_fields_prefilled": 2,
        "prefilled_share": 1.0,
    }
    assert DataElement.objects.filter(status=DataElement.Status.ACTIVE).count() == 5


def test_stats_text_has_a_catalog_section(catalog, capsys):
    text = _stats(capsys)
    assert "报表字段" in text and "一表通" in text
    line = next(line for line in text.splitlines() if line.startswith("数据元"))
    assert line.split()[-1] == "5"
    assert next(line for line in text.splitlines() if line.startswith("预填比例")).split()[-1] == "0.0%"
