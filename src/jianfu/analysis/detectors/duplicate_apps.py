"""Duplicate apps and platforms: same region, same purpose, judged on what they are for.

The catalogue is small (thousands of apps), so this detector fetches it and works in Python. Each app's
purpose is its name and description, normalised (OpenCC, NFKC, government synonyms folded to one spelling
by :mod:`jianfu.analysis.synonyms`, the list the field matcher uses), with the names of its own regions removed
(every app of 西湖区 says 西湖区) and generic words removed (平台, 系统, 管理 …). It becomes a TF-IDF vector
of jieba words and character bigrams — IDF over the whole catalogue, so words many unrelated apps use
weigh little. Functions form a second IDF-weighted vector, where 通知公告 or 信息报送, listed by almost
every app, weigh little. Two apps of the same region are duplicates when their purpose similarity alone
reaches ``dup_app_purpose_similarity`` and the better of purpose similarity and its blend with function
similarity reaches ``dup_app_similarity``: shared functions can support a match but never make one.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from datetime import date
from functools import lru_cache
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from jianfu.analysis import arithmetic
from jianfu.analysis.backend import AnalysisBackend, SQLStep
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors import Detector, output_table
from jianfu.analysis.findings import clusters, make_finding, quote_names
from jianfu.analysis.snapshot import input_name
from jianfu.analysis.synonyms import Folder, catalog_equivalences, fold_synonyms
from jianfu.textnorm import normalize_text

#: words that say nothing about what an app is for (its kind, its being governmental, filler verbs).
GENERIC_WORDS = (
    "小程序",
    "公众号",
    "客户端",
    "一体化",
    "平台",
    "系统",
    "应用",
    "程序",
    "软件",
    "管理",
    "服务",
    "工作",
    "信息",
    "数据",
    "用于",
    "提供",
    "实现",
    "进行",
    "相关",
    "功能",
    "在线",
    "网上",
    "政务",
    "综合",
    "智慧",
    "数字",
    "移动",
    "掌上",
    "办公",
    "统一",
    "全省",
    "全市",
    "全县",
    "全区",
    "辖区",
    "各级",
    "基层",
    "干部",
    "群众",
    "居民",
    "支持",
    "通过",
    "以及",
    "及时",
    "方便",
    "便捷",
    "一站式",
    "模块",
    "版本",
    "APP",
    "app",
    "H5",
    "PC",
    "端",
)
_REGION_SUFFIX = re.compile(r"(省|市|自治州|州|地区|盟|县|自治县|区|旗|镇|乡|街道|村|社区|居委会|村委会)$")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD_OK = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _place_words(names: Iterable[str | None]) -> list[str]:
    words = set()
    for name in names:
        name = normalize_text(name)
        if not name:
            continue
        words.add(name)
        short = _REGION_SUFFIX.sub("", name)
        if len(short) >= 2:
            words.add(short)
    return sorted(words, key=len, reverse=True)  # longest first, so 西湖区 goes before 西湖


def purpose_terms(
    name: str | None,
    description: str | None,
    places: Iterable[str | None] = (),
    fold: Callable[[str], str] | None = None,
) -> Counter:
    """The terms of an app's purpose: jieba words (``w:``) and CJK character bigrams (``b:``).

    ``fold`` puts synonyms in one spelling: by default the curated list; :func:`similar_pairs` passes a
    :class:`~jianfu.analysis.synonyms.Folder` that adds the catalog's learned synonyms."""
    text = f"{normalize_text(name)} {normalize_text(description)}"
    for word in _place_words(places):
        text = text.replace(word, " ")
    # Government synonyms in one spelling (线上报送 reads as 在线上报), the field matcher's list.
    text = (fold or fold_synonyms)(text)
    for word in GENERIC_WORDS:
        text = text.replace(word, " ")
    terms: Counter = Counter()
    for word in _jieba().lcut(text):
        word = word.strip()
        if len(word) >= 2 and _WORD_OK.search(word):
            terms["w:" + word] += 1
    for run in _CJK_RUN.findall(text):
        for i in range(len(run) - 1):
            terms["b:" + run[i : i + 2]] += 1
    return terms


def _idf(docs: Sequence[Iterable[str]]) -> dict[str, float]:
    df: Counter = Counter()
    for terms in docs:
        df.update(set(terms))
    n = len(docs)
    return {t: math.log(1.0 + n / c) for t, c in df.items()}


def _vector(tf: Mapping[str, float], idf: dict[str, float]) -> dict[str, float]:
    vec = {t: (1.0 + math.log(c)) * idf.get(t, 0.0) for t, c in tf.items() if c > 0}
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / norm for t, w in vec.items()} if norm else {}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def similar_pairs(
    apps: list[dict[str, Any]], config: AnalysisConfig, equivalences: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Qualifying pairs among ``apps`` (dicts with code, name, description, functions, region, level,
    places); IDF over all of them; only apps of one region (and level, if configured) are compared.
    ``equivalences`` (variant → spelling, from :func:`~jianfu.analysis.synonyms.catalog_equivalences`) fold
    after the curated synonyms: what officers confirmed for fields counts for app descriptions too."""
    # Only when there are equivalences: the module-level fold_synonyms stays the one tests can swap out.
    fold = Folder(equivalences) if equivalences else None
    purposes = [purpose_terms(a.get("name"), a.get("description"), a.get("places") or (), fold) for a in apps]
    functions = [Counter({normalize_text(f): 1 for f in (a.get("functions") or []) if normalize_text(f)}) for a in apps]
    p_idf, f_idf = _idf(purposes), _idf(functions)
    p_vec = [_vector(t, p_idf) for t in purposes]
    f_vec = [_vector(t, f_idf) for t in functions]
    w = float(config.dup_app_function_weight)

    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, a in enumerate(apps):
        if a.get("region"):
            blocks[(a["region"], a.get("level") if config.dup_app_same_level else None)].append(i)
    pairs = []
    for members in blocks.values():
        if len(members) < 2:
            continue
        # Inverted index within the block: only apps sharing a purpose term are compared.
        postings: dict[str, list[int]] = defaultdict(list)
        for i in members:
            for t in p_vec[i]:
                postings[t].append(i)
        for i in members:
            dots: dict[int, float] = defaultdict(float)
            for t, wi in p_vec[i].items():
                for j in postings[t]:
                    if j > i:
                        dots[j] += wi * p_vec[j][t]
            for j, purpose in dots.items():
                if purpose < config.dup_app_purpose_similarity:
                    continue
                func = _cosine(f_vec[i], f_vec[j])
                # Shared functions can lift a match, never lower one: two apps for one purpose often
                # name their functions differently.
                score = max(purpose, (1 - w) * purpose + w * func)
                if score >= config.dup_app_similarity:
                    shared = set(functions[i]) & set(functions[j])
                    pairs.append(
                        {
                            "a": i,
                            "b": j,
                            "similarity": score,
                            "purpose_similarity": purpose,
                            "function_similarity": func,
                            "shared_functions": len(shared),
                        }
                    )
    return pairs


def steps(config: AnalysisConfig, as_of: date) -> list[SQLStep]:
    apps = input_name("apps")
    places = "__jf_f_app_places"
    return [
        SQLStep(
            places,
            f"""
SELECT x.code AS unit_code, list(pu.name) AS places
FROM __jf_b_unit_anc x JOIN __jf_b_unit pu ON pu.code = x.anc AND pu.code = pu.region_code
WHERE x.code IN (SELECT owner_code FROM {apps}) AND pu.name IS NOT NULL
GROUP BY x.code""",
        ),
        SQLStep(
            output_table("duplicate_apps"),
            f"""
SELECT a.code, a.name, a.category, a.description, a.functions, a.owner_code, a.monthly_active_users,
  a.registered_users, u.region_code AS region, ru.level AS level, u.path, a.forced_features,
  coalesce(b.scope_people, 0) AS scope_people,
  coalesce(b.usage_h, 0) AS usage_h, coalesce(b.f1_h, 0) + coalesce(b.f2_h, 0) + coalesce(b.f3_h, 0) AS forced_h,
  pl.places
FROM {apps} a
LEFT JOIN __jf_b_unit u ON u.code = a.owner_code
LEFT JOIN __jf_b_unit ru ON ru.code = u.region_code
LEFT JOIN __jf_b_app b ON b.code = a.code
LEFT JOIN {places} pl ON pl.unit_code = a.owner_code
WHERE a.code IS NOT NULL""",
        ),
    ]


def learned_equivalences(backend: AnalysisBackend) -> dict[str, str]:
    """The catalog's synonyms (imported, and learned from confirmed mappings) as equivalences for app purposes."""
    rows = backend.query(f"SELECT name, synonyms FROM {input_name('elements')} WHERE name IS NOT NULL")
    return catalog_equivalences((r["name"], r["synonyms"]) for r in rows if r["synonyms"])


def build(backend: AnalysisBackend, config: AnalysisConfig, as_of: date) -> list[dict[str, Any]]:
    apps = backend.query(f"SELECT * FROM {output_table('duplicate_apps')} ORDER BY code")
    pairs = similar_pairs(apps, config, learned_equivalences(backend))
    if not pairs:
        return []
    edges: dict[int, list[dict[str, Any]]] = defaultdict(list)
    comps = clusters((p["a"], p["b"]) for p in pairs)
    where = {i: n for n, comp in enumerate(comps) for i in comp}
    for p in pairs:
        edges[where[p["a"]]].append(p)
    return [_cluster_finding(apps, comp, edges[n], config) for n, comp in enumerate(comps)]


def _cluster_finding(
    apps: list[dict[str, Any]], comp: list[int], edges: list[dict[str, Any]], config: AnalysisConfig
) -> dict[str, Any]:
    """One finding for a cluster of similar apps: keep the most used, merge the rest into it."""
    ranked = sorted(
        comp,
        key=lambda i: (
            -(apps[i]["monthly_active_users"] or -1),
            -(apps[i]["registered_users"] or -1),
            apps[i]["code"],
        ),
    )
    main, rest = ranked[0], sorted(ranked[1:], key=lambda i: apps[i]["code"])
    best = max(edges, key=lambda p: (p["similarity"], p["purpose_similarity"]))
    saved, terms = _merge_saving([apps[i] for i in rest], config)
    names = [apps[i]["name"] or apps[i]["code"] for i in [main, *rest]]
    shown = {
        "similarity": f"{best['purpose_similarity']:.2f}",
        "functions": best["shared_functions"],
        "kept": names[0],
    }
    if len(names) == 2:
        reason = (
            "「{first}」与「{second}」属于同一地区，用途高度相似（名称和描述相似度{similarity}，共有功能{functions}项），"
            "属于重复建设，建议整合为「{kept}」。",
            {**shown, "first": names[0], "second": names[1]},
        )
    else:
        reason = (
            "{names}应用属于同一地区，用途高度相似（名称和描述相似度{similarity}，共有功能{functions}项），"
            "属于重复建设，建议整合为「{kept}」。",
            {**shown, "names": quote_names(names)},
        )
    return make_finding(
        "duplicate_apps",
        "F5",
        "merge",
        [apps[i]["code"] for i in [main, *rest]],
        score=best["similarity"],
        evidence={
            "similarity": best["similarity"],
            "purpose_similarity": best["purpose_similarity"],
            "function_similarity": best["function_similarity"],
            "shared_functions": best["shared_functions"],
            "apps": len(names),
            "pairs": len(edges),
        },
        hours_saved=sum(saved.values()),
        reason=reason,
        owner_code=apps[main]["owner_code"],
        saved_by_item=saved,
        arithmetic=terms,
    )


def _merge_saving(dropped: list[dict[str, Any]], config: AnalysisConfig) -> tuple[dict[str, float], list[dict]]:
    """Hours a month saved by each dropped app, and the arithmetic that shows them."""
    saved, terms = {}, []
    for app in dropped:
        params = config.params_for_path(app["path"]) if config.region_overrides else config.burden
        # Merging removes the dropped app's forced features and the share of its use that reports twice.
        saved[app["code"]] = app["forced_h"] + params.duplicate_work_share * app["usage_h"]
        terms += arithmetic.app_forced(
            app["scope_people"], app["forced_features"], params, None, app["monthly_active_users"]
        )
        terms += arithmetic.app_duplicated_usage(app["monthly_active_users"], app["usage_h"], params)
    return saved, terms


DETECTOR = Detector("duplicate_apps", steps, build)
