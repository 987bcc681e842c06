"""Detection quality on a generated county with planted findings: recall ≥ 0.95 and precision ≥ 0.9 per type."""

import datetime as dt
import json

import pytest

from jianfu.findings.running import run_and_store
from jianfu.generate import generate
from jianfu.registry.importing import import_paths

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 26)
# duplicate_forms comes with the form catalog (its own issue); every other type of the spec is checked.
CHECKED = [
    "duplicate_groups",
    "expired_group",
    "idle_group",
    "group_demand",
    "duplicate_apps",
    "zombie_app",
    "forced_feature",
    "stale_account",
    "account_assessment",
    "duplicate_accounts",
]


@pytest.mark.parametrize("seed", [3, 4])
def test_each_finding_type_is_found(tmp_path, seed):
    generate("county", seed, tmp_path, as_of=AS_OF)
    assert import_paths([tmp_path]).ok
    document = run_and_store(as_of=AS_OF, actor="test")
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))["findings"]
    for kind in CHECKED:
        expected = {(f["rule"], frozenset(f["items"])) for f in truth[kind]}
        found = {(f["rule"], frozenset(f["items"])) for f in document["findings"] if f["type"] == kind}
        hits = len(expected & found)
        recall = hits / len(expected) if expected else 1.0
        precision = hits / len(found) if found else 1.0
        assert recall >= 0.95 and precision >= 0.9, (kind, len(expected), len(found), recall, precision)
