"""What an officer confirms on a form's page reaches duplicate_apps: the learned synonym makes two apps that
say the same thing in other words a duplicate at the next analysis."""

from __future__ import annotations

import datetime as dt

import pytest

from jianfu.elements import actions
from jianfu.elements.models import DataElement
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store
from jianfu.registry.models import FormField
from tests.cast import APP_ROWS, BUREAU
from tests.elements.catalog import import_paraphrase_case

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 26)
ROWS = [
    APP_ROWS[0],
    [
        "A7",
        "外出务工人员服务平台",
        "APP",
        BUREAU,
        "2025-01-05",
        "2026-10-01",
        900,
        300,
        "",
        "",
        "为外出务工人员提供返乡登记和务工去向跟踪",
    ],
    [
        "A8",
        "异地就业人员信息库",
        "平台",
        BUREAU,
        "2025-03-05",
        "2026-10-01",
        400,
        100,
        "",
        "",
        "记录异地就业人员的返乡登记和就业去向跟踪",
    ],
]


@pytest.fixture
def paraphrased(catalog, tmp_path):
    import_paraphrase_case(tmp_path / "more", ROWS)
    return catalog


def _app_pairs() -> list[list[str]]:
    return [sorted(f.items) for f in Finding.objects.filter(type="duplicate_apps", is_current=True)]


def test_a_confirmed_mapping_teaches_duplicate_apps(paraphrased):
    run_and_store(as_of=AS_OF, actor="test")
    assert ["A7", "A8"] not in _app_pairs()
    field = FormField.objects.get(form__code="F3", position=4)
    actions.do_confirm_mapping(field, DataElement.objects.get(code="DE009"), acting_user=paraphrased.county)
    assert "异地就业人员数" in DataElement.objects.get(code="DE009").synonyms
    run_and_store(as_of=AS_OF, actor="test")
    assert ["A7", "A8"] in _app_pairs()
