"""The paraphrase gap of duplicate_apps: planted duplicates whose copies swap government synonyms
(上报/报送, 巡查/巡检, 登记/录入 …) in name, description and functions are all found, 8 of 8."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import duplicate_apps
from jianfu.analysis.findings import clusters
from jianfu.generate import generate
from tests.analysis.generated_apps import read_apps

AS_OF = dt.date(2026, 11, 26)
SMALL = {"people": 60, "groups": 20, "memberships": 200}  # apps are what is looked at here


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """(apps, truth clusters) of generated tiny counties, until 8 planted paraphrase clusters are met."""
    out, paraphrased = [], 0
    for seed in range(1, 80):
        d = tmp_path_factory.mktemp(f"tiny{seed}")
        generate("tiny", seed=seed, out_dir=d, as_of=AS_OF, sizes=SMALL)
        truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))["findings"]["duplicate_apps"]
        out.append((read_apps(d), truth))
        paraphrased += sum(1 for c in truth if c.get("paraphrase"))
        if paraphrased >= 8:
            return out
    raise AssertionError("the generator planted fewer than 8 paraphrase clusters in 79 seeds")


def _found(apps):
    pairs = duplicate_apps.similar_pairs(apps, AnalysisConfig())
    return {frozenset(apps[i]["code"] for i in c) for c in clusters((p["a"], p["b"]) for p in pairs)}


def _recall(planted, *, paraphrase: bool):
    hits = total = false = 0
    for apps, truth in planted:
        found = _found(apps)
        expected = {frozenset(c["items"]) for c in truth if bool(c.get("paraphrase")) == paraphrase}
        hits += len(expected & found)
        total += len(expected)
        false += len(found - {frozenset(c["items"]) for c in truth})
    return hits, total, false


def test_every_paraphrased_pair_is_found(planted):
    hits, total, false = _recall(planted, paraphrase=True)
    assert total >= 8 and hits == total, (hits, total)
    assert false == 0
    hits, total, false = _recall(planted, paraphrase=False)
    assert hits == total and false == 0


def test_without_the_synonym_list_some_paraphrase_is_missed(planted, monkeypatch):
    # the gap is real in the generated material: folding the synonyms is what closes it
    monkeypatch.setattr(duplicate_apps, "fold_synonyms", lambda text: text)
    hits, total, _ = _recall(planted, paraphrase=True)
    assert hits < total
