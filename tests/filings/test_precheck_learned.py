"""The filing pre-check folds app purposes with the catalog's learned synonyms, as duplicate_apps does: a proposal
saying what an existing app says in other words is flagged once an officer confirms the synonym, not before."""

from __future__ import annotations

import pytest

from jianfu.elements import actions
from jianfu.elements.models import DataElement
from jianfu.filings.precheck import Prechecker, learned_equivalences
from jianfu.registry.models import FormField
from tests.cast import APP_ROWS, BUREAU
from tests.elements.catalog import import_catalog, import_paraphrase_case

pytestmark = pytest.mark.django_db

EXISTING_APP = [
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
]
# The same purpose in other words: 异地就业 for 外出务工, 就业去向 for 务工去向.
PROPOSAL = {
    "kind": "apps",
    "code": "NEW1",
    "name": "异地就业人员信息库",
    "owner_code": BUREAU,
    "category": "app",
    "functions": [],
    "forced_features": [],
    "description": "记录异地就业人员的返乡登记和就业去向跟踪",
}


@pytest.fixture
def paraphrased(cast, tmp_path):
    """The cast, the catalog with 外出务工人员数 (DE009), app A7, and a form field 异地就业人员数 not yet mapped."""
    import_catalog(tmp_path)
    import_paraphrase_case(tmp_path / "more", [APP_ROWS[0], EXISTING_APP])
    return cast


def flagged_duplicates(result: dict) -> list[str]:
    """Codes of the existing apps the pre-check calls duplicates of the proposal (the F5 flag)."""
    return [s["code"] for s in result["similar"] if s["duplicate"]]


def test_a_paraphrase_is_flagged_only_once_its_synonym_is_confirmed(paraphrased):
    before = Prechecker().check(PROPOSAL)
    assert "A7" not in flagged_duplicates(before)
    assert not [v for v in before["violations"] if v["rule"] == "F5"]
    assert "异地就业" not in learned_equivalences()

    field = FormField.objects.get(form__code="F3", position=4)
    actions.do_confirm_mapping(field, DataElement.objects.get(code="DE009"), acting_user=paraphrased.county)

    assert learned_equivalences()["异地就业"] == "外出务工"
    after = Prechecker().check(PROPOSAL)  # the cached app index is rebuilt: the catalog changed
    assert flagged_duplicates(after)[:1] == ["A7"]
    assert [v for v in after["violations"] if v["rule"] == "F5"]
