"""Synonyms the catalog learned from confirmed field mappings reach duplicate_apps: one notion of "the same
thing said differently" for fields and app descriptions."""

from __future__ import annotations

from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import duplicate_apps
from jianfu.analysis.synonyms import Folder, catalog_equivalences

CONFIG = AnalysisConfig()


def _app(code: str, name: str, description: str) -> dict:
    return {"code": code, "name": name, "description": description, "functions": [], "region": "R", "places": []}


# Unrelated apps of the same county, so that IDF weighs words as in a real catalogue.
OTHERS = [
    _app("X1", "防汛指挥调度平台", "汛期水情雨情监测、防汛物资调度和值班值守"),
    _app("X2", "高标准农田建设管理系统", "高标准农田项目台账、建设进度和验收登记"),
    _app("X3", "党员教育积分平台", "党员学习教育、组织生活记录和积分管理"),
    _app("X4", "安全生产隐患排查系统", "企业安全生产隐患排查、整改跟踪和执法检查"),
    _app("X5", "疫苗接种预约小程序", "疫苗接种预约、接种记录查询和异常反应上报"),
    _app("X6", "农村人居环境整治平台", "改厕、垃圾分类和村容村貌整治的进度统计"),
]
# The same purpose in words that share no characters: 外出务工 / 异地就业.
PAIR = [
    _app("A1", "外出务工人员服务平台", "为外出务工人员提供返乡登记和务工去向跟踪"),
    _app("A2", "异地就业人员信息库", "记录异地就业人员的返乡登记和就业去向跟踪"),
]
LEARNED = [("外出务工人员数", ["异地就业人员数"])]  # an officer confirmed 异地就业人员数 as this element


def _pairs(equivalences=None) -> list[tuple[str, str, float]]:
    apps = OTHERS + PAIR
    return [
        (apps[p["a"]]["code"], apps[p["b"]]["code"], p["purpose_similarity"])
        for p in duplicate_apps.similar_pairs(apps, CONFIG, equivalences)
    ]


def _purpose(equivalences) -> float:
    apps = OTHERS + PAIR
    fold = Folder(equivalences) if equivalences else None
    terms = [duplicate_apps.purpose_terms(a["name"], a["description"], (), fold) for a in apps]
    idf = duplicate_apps._idf(terms)
    return duplicate_apps._cosine(duplicate_apps._vector(terms[-2], idf), duplicate_apps._vector(terms[-1], idf))


def test_a_paraphrase_pair_is_missed_without_the_learned_synonym_and_found_with_it():
    assert _purpose(None) < CONFIG.dup_app_purpose_similarity
    assert _pairs() == []
    learned = catalog_equivalences(LEARNED)
    assert _purpose(learned) >= CONFIG.dup_app_similarity
    assert [(a, b) for a, b, _ in _pairs(learned)] == [("A1", "A2")]


def test_equivalences_fold_the_words_that_differ_inside_a_shared_frame():
    found = catalog_equivalences(LEARNED + [("低保户数", ["低保家庭户数"]), ("户籍人口数", ["户籍总人口"])])
    assert found["异地就业人员数"] == "外出务工人员数"
    assert found["异地就业人员"] == "外出务工人员"  # without the count ending, as an app says it
    assert found["异地就业"] == "外出务工"  # the words that differ, between a shared 人员数
    assert found["户籍总人口"] == "户籍人口数"
    # 家庭 against nothing is no equivalence; a word inside its own spelling would grow at every fold.
    assert "家庭" not in found and "低保家庭" not in found


def test_equivalences_leave_out_ambiguous_short_and_curated_words():
    found = catalog_equivalences(
        [
            ("外出务工人员数", ["异地就业人员数"]),
            ("返乡创业人员数", ["异地就业人员数"]),  # claimed by two elements: neither
            ("姓名", ["名"]),  # one character
            ("工作单位", ["就业单位"]),  # already in the curated list
            ("联系电话", []),
        ]
    )
    assert "异地就业人员数" not in found and "名" not in found and "就业单位" not in found
    # Traditional synonyms are read after OpenCC, as everything else.
    assert catalog_equivalences([("外出务工人员数", ["異地就業人員數"])])["异地就业"] == "外出务工"


def test_the_catalog_folds_after_the_curated_list():
    fold = Folder(catalog_equivalences(LEARNED))
    assert fold("异地就业人员线上报送") == "外出务工人员在线上报"
    assert Folder()("线上报送") == "在线上报"
