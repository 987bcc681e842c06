"""How similar a proposed item is to existing ones: the ranking behind the filing pre-check (no Django).

The measures are the detectors' own, so that a proposal the pre-check lets through is not reported as a
duplicate by the next ``jianfu analyze``:

* apps and platforms — :func:`~jianfu.analysis.detectors.duplicate_apps.purpose_terms` (name and
  description without place names and generic words, jieba words and character bigrams), IDF over the
  whole catalogue plus the proposal, cosine, and the detector's blend with IDF-weighted function overlap
  (shared functions can lift a match, never make one);
* work groups — member overlap, Jaccard and containment, judged by
  :func:`~jianfu.analysis.detectors.duplicate_groups.qualifies` (integer thresholds of formats.md);
* public accounts — name similarity, same platform and same owner (the rule is one account per unit per
  platform);
* forms — overlap of field names normalised as the field matcher does (Traditional/Simplified, brackets,
  units, government synonyms, measure words).

Every ranking returns plain dicts ``{"code", "score", "evidence", "duplicate"}``, best first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.detectors.duplicate_apps import _cosine as cosine
from jianfu.analysis.detectors.duplicate_apps import purpose_terms
from jianfu.analysis.detectors.duplicate_groups import is_subset_of_larger, qualifies
from jianfu.analysis.fields import normalise_field
from jianfu.analysis.schema import GENERIC_APP_FUNCTIONS
from jianfu.analysis.synonyms import Folder
from jianfu.textnorm import normalize_text

__all__ = [
    "AppIndex",
    "NEAR_IDENTICAL_NAME",
    "TextMatcher",
    "account_score",
    "char_terms",
    "field_key",
    "form_overlap",
    "group_overlap",
    "name_key",
    "name_similarity",
    "names_near_identical",
    "rank",
    "text_similarity",
]

_TEXT_RUNS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
# Measure words printed after an indicator's name: 户籍人口数 / 户籍人口 / 参与群众人数(人) / 参与群众人.
_TRAILING_MEASURES = "数个人户次条起件元处家批名所座宗项份只台辆亩"
EXTRA_GENERIC_FUNCTIONS = ("消息推送", "统计分析", "通讯录", "在线考试")


def round4(value: float) -> float:
    return round(float(value), 4)


# --- text -------------------------------------------------------------------------------------------------


def char_terms(text: object) -> Counter:
    """Characters and character bigrams of normalised text (letters, digits and CJK only)."""
    clean = "".join(_TEXT_RUNS.findall(normalize_text(text).lower()))
    terms: Counter = Counter(clean)
    terms.update(clean[i : i + 2] for i in range(len(clean) - 1))
    return terms


def _cosine_counts(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0) for t, v in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def text_similarity(a: object, b: object) -> float:
    """Cosine of character and bigram counts: 1 for the same text, ~0 for unrelated text."""
    return _cosine_counts(char_terms(a), char_terms(b))


class TextMatcher:
    """:func:`text_similarity` against one fixed text, its terms computed once."""

    def __init__(self, text: object):
        self.terms = char_terms(text)

    def __call__(self, other: object) -> float:
        return _cosine_counts(self.terms, char_terms(other))


def name_similarity(a: object, b: object) -> float:
    """Names are short: the better of the character cosine and an edit-distance ratio."""
    x, y = normalize_text(a), normalize_text(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    from rapidfuzz import fuzz

    return max(text_similarity(x, y), fuzz.ratio(x, y) / 100.0)


#: edit ratio at or above which two names are "near-identical" (one character added, dropped or changed in a
#: name of ten or more characters; 防汛工作群 / 防汛工作群2 is 0.91, 一组工作群 / 二组工作群 is 0.8)
NEAR_IDENTICAL_NAME = 0.9


def name_key(name: object) -> str:
    """A name as compared for identity: Simplified, half-width, lower case, letters, digits and CJK only."""
    return "".join(_TEXT_RUNS.findall(normalize_text(name).lower()))


def names_near_identical(a: object, b: object) -> tuple[bool, float]:
    """(identical or near-identical, edit ratio) of two names by :func:`name_key`."""
    x, y = name_key(a), name_key(b)
    if not x or not y:
        return False, 0.0
    if x == y:
        return True, 1.0
    from rapidfuzz import fuzz

    ratio = fuzz.ratio(x, y) / 100.0
    return ratio >= NEAR_IDENTICAL_NAME, round4(ratio)


# --- apps and platforms ------------------------------------------------------------------------------------


def _idf(df: int, n: int) -> float:
    # The detector's IDF, log(1 + n / df), over the catalogue with the proposal in it.
    return math.log(1.0 + n / df) if df else 0.0


def _weights(tf: Mapping[str, float], df: Mapping[str, int], n: int, extra: Mapping[str, float]) -> dict[str, float]:
    vec = {t: (1.0 + math.log(c)) * _idf(df.get(t, 0) + (1 if t in extra else 0), n) for t, c in tf.items() if c > 0}
    norm = math.sqrt(sum(w * w for w in vec.values()))
    return {t: w / norm for t, w in vec.items()} if norm else {}


def _functions(values: Iterable[object] | None) -> Counter:
    return Counter({normalize_text(f): 1 for f in (values or []) if normalize_text(f)})


def is_generic_function(name: str) -> bool:
    return name in GENERIC_APP_FUNCTIONS or name in EXTRA_GENERIC_FUNCTIONS


class AppIndex:
    """The app and platform catalogue, ready to rank proposals against.

    ``apps`` are dicts with ``code``, ``name``, ``description``, ``functions`` and ``places`` (the names
    of the regions the owner sits in, removed from the text as the detector does). IDF is taken over all
    of them plus the proposal, as ``duplicate_apps`` takes it over the catalogue; ``equivalences`` (the
    catalog's learned synonyms, :func:`~jianfu.analysis.synonyms.catalog_equivalences`) fold purposes as there.
    """

    def __init__(
        self,
        apps: Sequence[Mapping[str, Any]],
        config: AnalysisConfig | None = None,
        equivalences: Mapping[str, str] | None = None,
    ):
        self.config = config or AnalysisConfig()
        self.apps = list(apps)
        # The catalog's learned synonyms fold after the curated list, as in duplicate_apps.similar_pairs.
        self.fold = Folder(equivalences) if equivalences else None
        self.purposes = [
            purpose_terms(a.get("name"), a.get("description"), a.get("places") or (), self.fold) for a in self.apps
        ]
        self.functions = [_functions(a.get("functions")) for a in self.apps]
        self.p_df: Counter = Counter()
        self.f_df: Counter = Counter()
        self.postings: dict[str, list[int]] = {}
        for i, terms in enumerate(self.purposes):
            self.p_df.update(terms.keys())
            for t in terms:
                self.postings.setdefault(t, []).append(i)
        for terms in self.functions:
            self.f_df.update(terms.keys())
        self.by_code = {a["code"]: i for i, a in enumerate(self.apps)}

    def rank(
        self,
        proposal: Mapping[str, Any],
        *,
        candidates: Iterable[str] | None = None,
        limit: int = 10,
        tiebreak: Callable[[Mapping[str, Any]], tuple] | None = None,
    ) -> list[dict[str, Any]]:
        """Existing apps most like ``proposal`` (same keys as the catalogue), best first; equally similar ones
        ordered by ``tiebreak(app)`` (larger first), then by code."""
        allowed = None if candidates is None else {self.by_code[c] for c in candidates if c in self.by_code}
        n = len(self.apps) + 1
        p_terms = purpose_terms(
            proposal.get("name"), proposal.get("description"), proposal.get("places") or (), self.fold
        )
        f_terms = _functions(proposal.get("functions"))
        p_vec = _weights(p_terms, self.p_df, n, p_terms)
        f_vec = _weights(f_terms, self.f_df, n, f_terms)
        touched: set[int] = set()
        for t in p_vec:
            touched.update(self.postings.get(t, ()))
        own_functions = {f for f in f_terms if not is_generic_function(f)}
        # Apps sharing a specific function but no purpose term are still worth showing (score from functions).
        if own_functions:
            for i, funcs in enumerate(self.functions):
                if own_functions & funcs.keys():
                    touched.add(i)
        if allowed is not None:
            touched &= allowed
        w = float(self.config.dup_app_function_weight)
        out = []
        for i in touched:
            purpose = cosine(p_vec, _weights(self.purposes[i], self.p_df, n, p_terms))
            func = cosine(f_vec, _weights(self.functions[i], self.f_df, n, f_terms))
            score = max(purpose, (1 - w) * purpose + w * func)
            if score <= 0:
                continue
            shared = sorted(f_terms.keys() & self.functions[i].keys())
            specific = [f for f in shared if not is_generic_function(f)]
            duplicate = purpose >= self.config.dup_app_purpose_similarity and score >= self.config.dup_app_similarity
            out.append(
                {
                    "code": self.apps[i]["code"],
                    "score": round4(score),
                    "duplicate": duplicate,
                    "tiebreak": tiebreak(self.apps[i]) if tiebreak else (),
                    "evidence": {
                        "similarity": round4(score),
                        "purpose_similarity": round4(purpose),
                        "function_similarity": round4(func),
                        "shared_functions": shared,
                        # Share of the proposal's own (non-generic) functions the existing app already has.
                        "function_coverage": round4(len(specific) / len(own_functions)) if own_functions else 0.0,
                    },
                }
            )
        return rank(out, limit)


# --- work groups -----------------------------------------------------------------------------------------


def group_overlap(proposed: int, existing: int, shared: int, config: AnalysisConfig | None = None) -> dict[str, Any]:
    """Evidence for one existing group sharing ``shared`` of the proposal's ``proposed`` members."""
    config = config or AnalysisConfig()
    union = proposed + existing - shared
    small, large = sorted((proposed, existing))
    by_jaccard, by_containment = qualifies(config, small, large, shared) if small else (False, False)
    jaccard = shared / union if union else 0.0
    return {
        "jaccard": round4(jaccard),
        "containment": round4(shared / small) if small else 0.0,
        # Share of the proposed members already in the existing group: could that group serve instead?
        "proposal_covered": round4(shared / proposed) if proposed else 0.0,
        "shared_members": shared,
        "members": existing,
        "proposed_members": proposed,
        "qualifies_jaccard": by_jaccard,
        "qualifies_containment": by_containment,
        # Almost all proposed members sit in a far larger group (an all-staff group): a note, not a duplicate.
        "subset_of_larger": is_subset_of_larger(config, proposed, existing, shared),
    }


# --- public accounts ---------------------------------------------------------------------------------------


def account_score(name_sim: float, same_platform: bool, same_owner: bool) -> float:
    """Name similarity carries most of the weight; the same platform and the same owner decide near-ties."""
    return 0.6 * name_sim + 0.25 * same_platform + 0.15 * same_owner


# --- forms -------------------------------------------------------------------------------------------------


def field_key(name: object) -> str:
    """An indicator's name reduced to what it asks: 参与群众人数（人） and 参与群众人 both give 参与群众.

    The field matcher's normalisation (:func:`jianfu.analysis.fields.normalise_field`: brackets and units out,
    numerals, government synonyms, count endings in one spelling), then trailing measure words off."""
    text = normalise_field(str(name or "")).text
    while len(text) > 2 and text[-1] in _TRAILING_MEASURES:
        text = text[:-1]
    return text


def _matches(a: list[str], b: list[str], fuzzy: float) -> int:
    """How many of ``a``'s field keys find a partner in ``b`` (each partner used once)."""
    from rapidfuzz import fuzz

    free = Counter(b)
    matched = 0
    rest = []
    for key in a:
        if free.get(key):
            free[key] -= 1
            matched += 1
        else:
            rest.append(key)
    pool = [k for k, c in free.items() for _ in range(c)]
    for key in rest:
        best, best_j = 0.0, -1
        for j, other in enumerate(pool):
            r = fuzz.ratio(key, other) / 100.0
            if r > best:
                best, best_j = r, j
        if best >= fuzzy:
            matched += 1
            pool.pop(best_j)
    return matched


def form_overlap(proposed: Sequence[str], existing: Sequence[str], *, fuzzy: float = 0.85) -> dict[str, Any]:
    """Evidence for an existing form: how many of its fields (by :func:`field_key`) the proposal asks again."""
    a = [k for k in (field_key(f) for f in proposed) if k]
    b = [k for k in (field_key(f) for f in existing) if k]
    m = _matches(a, b, fuzzy) if a and b else 0
    union = len(a) + len(b) - m
    return {
        "jaccard": round4(m / union) if union else 0.0,
        "shared_fields": m,
        "fields": len(b),
        "proposed_fields": len(a),
        "proposal_covered": round4(m / len(a)) if a else 0.0,
        "overlap_of_smaller": round4(m / min(len(a), len(b))) if a and b else 0.0,
    }


# --- ranking -----------------------------------------------------------------------------------------------


def rank(matches: list[dict[str, Any]], limit: int = 10, *, keys: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Best first: score, then the named evidence keys, then ``tiebreak`` if present, then the code.

    ``tiebreak`` is a number or a tuple of numbers, larger first (the pre-check passes same owner, same region,
    name similarity: among equally similar items the nearest one ranks first)."""

    def key(m: dict[str, Any]) -> tuple:
        ev = m.get("evidence", {})
        tie = m.get("tiebreak") or ()
        tie = tie if isinstance(tie, tuple) else (tie,)
        return (-m["score"], *(-float(ev.get(k) or 0) for k in keys), tuple(-float(t) for t in tie), m["code"])

    ordered = sorted(matches, key=key)[:limit]
    for m in ordered:
        m.pop("tiebreak", None)
    return ordered
