"""The bigram index behind `?q=`: the same rows as the substring search it replaces, kept current on import
and edit, on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest

from jianfu.registry import listing, search
from jianfu.registry.actions import do_update_group
from jianfu.registry.kinds import KINDS
from jianfu.registry.models import Person, SearchGram, Unit, WorkGroup
from tests.cast import BUREAU

pytestmark = pytest.mark.django_db

# Names a search must survive: punctuation, ASCII in both cases, digits, a cased letter outside ASCII.
ODD_NAMES = [
    "【重要】防汛·值班群（2024）",
    "ABC工作群",
    "abc 联络群",
    "群",
    "Élan 志愿者群",
    "50%进度群",
    "a_b\\c群",
    "“双减”专班群",
    "K歌群",
]


@pytest.fixture
def registry(cast):
    bureau = Unit.objects.get(code=BUREAU)
    for n, name in enumerate(ODD_NAMES, start=1):
        group = WorkGroup.objects.create(code=f"GX{n}", name=name, platform="微信", owner=bureau)
        search.reindex(WorkGroup, [group.pk])
    return cast


def result(user, kind: str, q: str, settings, baseline: bool) -> list[int]:
    """Every row the list would page through for this query, in its order."""
    from django.test import override_settings

    from jianfu.accounts import scope

    spec = KINDS[kind]
    with override_settings(JIANFU_BASELINE_QUERIES=baseline):
        qs, _applied = listing.apply_filters(scope.scoped(user, spec.model), spec, {"q": q}, user)
        return list(qs.order_by("code", "id").values_list("id", flat=True))


def queries() -> list[str]:
    """Every 1- and 2-character piece of every title and code, a sample of longer ones, and special cases."""
    texts = []
    for spec in KINDS.values():
        texts += [t for row in spec.model.objects.values_list(spec.title_field, "code") for t in row]
    pieces = {t[i : i + n] for t in texts for n in (1, 2) for i in range(len(t) - n + 1)}
    rng = random.Random(7)
    longer = {
        t[i : i + n]
        for t in rng.sample(texts, min(60, len(texts)))
        for n in (3, 5)
        for i in range(0, max(1, len(t) - n + 1), 2)
    }
    special = {
        "網格",
        "網格群",
        "淸波",
        "ＡＢＣ",
        "abc",
        "ABC",
        "élan",
        "ÉLAN",
        "%",
        "_",
        "\\",
        "“双减”",
        "（2024）",
        "【重要】",
        "k",
        "K",
        "不存在的名字",
        "G",
        "g1",
        "330102",
        "群 ",
    }
    return sorted(pieces | longer | special)


# (DENSE, MERGE): the real thresholds, then small ones so the small registry takes every branch of narrow() —
# the rarest list, the merge of common lists, and the ordered scan of dense matches.
@pytest.mark.parametrize("dense,merge", [(search.DENSE, search.MERGE), (1, 4), (0, 0)])
def test_every_query_gives_the_rows_of_the_substring_search(registry, settings, monkeypatch, dense, merge):
    monkeypatch.setattr(search, "DENSE", dense)
    monkeypatch.setattr(search, "MERGE", merge)
    checked = 0
    for kind in KINDS:
        for q in queries():
            old = result(registry.admin, kind, q, settings, baseline=True)
            new = result(registry.admin, kind, q, settings, baseline=False)
            assert new == old, (kind, q)
            checked += bool(old)
    assert checked > 200  # most pieces match something: the comparison is not between two empty lists


def test_traditional_and_full_width_input_find_the_simplified_names(registry, settings):
    for q, code in (("網格群", "G4"), ("ＡＢＣ工作", "GX2"), ("防汛·值班", "GX1")):
        rows = result(registry.admin, "groups", q, settings, baseline=False)
        assert WorkGroup.objects.get(code=code).pk in rows, q


def test_the_region_still_limits_a_search(registry, settings):
    inside = result(registry.county, "groups", "群", settings, baseline=False)
    outside = result(registry.outsider, "groups", "群", settings, baseline=False)
    assert WorkGroup.objects.get(code="G3").pk in outside and WorkGroup.objects.get(code="G3").pk not in inside
    assert inside == result(registry.county, "groups", "群", settings, baseline=True)


def test_the_index_is_what_answers_a_rare_query(registry):
    spec = KINDS["groups"]
    qs = spec.model.objects.all()
    narrowed = search.narrow(qs, "groups", "值班")
    assert "registry_searchgram" in str(narrowed.query) and list(narrowed.values_list("code", flat=True)) == ["GX1"]
    assert not search.narrow(qs, "groups", "不存在").exists()
    assert search.narrow(qs, "groups", "élan") is qs  # a cased letter outside ASCII: the plain scan answers


def test_the_import_filled_the_index_as_a_rebuild_would(cast):
    def rows():
        return set(SearchGram.objects.values_list("kind", "obj_id", "first", "second"))

    imported = rows()
    assert imported
    search.rebuild()
    assert rows() == imported


def test_an_edit_and_a_reimport_keep_the_index_current(registry, settings, tmp_path):
    from jianfu.registry.importing import import_paths
    from tests import builders

    group = WorkGroup.objects.get(code="G4")
    do_update_group(group, {"name": "清波社区巡逻专班"}, acting_user=registry.admin)
    assert group.pk in result(registry.admin, "groups", "巡逻", settings, baseline=False)
    assert group.pk not in result(registry.admin, "groups", "网格", settings, baseline=False)
    # A file renames a person: the new name is found, the old one no longer is.
    person = Person.objects.get(code="P4")
    rows = [
        ["人员编号", "姓名", "手机号码", "所属单位", "职务"],
        ["P4", "欧阳震华", "13612345678", person.unit.code, "干事"],
    ]
    builders.write_csv(tmp_path / "人员.csv", rows)
    report = import_paths([tmp_path], actor="cli")
    assert report.ok, [e.message() for f in report.files for e in f.errors]
    assert person.pk in result(registry.admin, "people", "欧阳", settings, baseline=False)
    assert result(registry.admin, "people", "欧阳", settings, baseline=False) == result(
        registry.admin, "people", "欧阳", settings, baseline=True
    )


def test_the_api_search_uses_the_same_rows(registry, settings, client):
    from jianfu.api.tokens import do_create_token

    settings.JIANFU_API_RATE_PER_MINUTE = 100_000
    token = do_create_token(registry.admin, acting_user=registry.admin)[1]
    response = client.get("/api/v1/groups/", {"q": "值班", "limit": 50}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["GX1"]
