"""Government-work synonyms: one spelling for words that say the same thing (no Django).

The curated list is ``data/gov_synonyms.tsv`` (its header states its source). :func:`fold_synonyms` rewrites
every variant to its canonical spelling, longest variant first, so that 线上报送 and 在线上报 read alike.
The field matcher, the purpose similarity of ``duplicate_apps`` and the filing pre-check all fold with it:
one notion of "the same thing said differently". Synonyms learned from confirmed field mappings are the
catalog's own (:meth:`jianfu.analysis.fields.FieldMatcher.add_synonym`); :func:`catalog_equivalences` turns
the catalog's synonyms into equivalences that :class:`Folder` applies after the curated list, so that
``duplicate_apps`` and the filing pre-check read app descriptions with what officers taught the field matcher.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources

from jianfu.textnorm import normalize_text

__all__ = ["Folder", "catalog_equivalences", "fold_synonyms", "synonym_table"]


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, str]:
    """variant → canonical spelling, from the curated data file (canonical spellings map to themselves)."""
    text = resources.files("jianfu.analysis").joinpath("data/gov_synonyms.tsv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        canonical, _, variants = line.partition("\t")
        canonical = canonical.strip()
        table.setdefault(canonical, canonical)
        for variant in variants.split(";"):
            variant = variant.strip()
            if variant and variant not in table:
                table[variant] = canonical
    return table


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    words = sorted(synonym_table(), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@lru_cache(maxsize=100_000)
def fold_synonyms(text: str) -> str:
    """``text`` (already Simplified and half-width) with every curated variant in its canonical spelling."""
    if not text:
        return text
    table = synonym_table()
    return _pattern().sub(lambda m: table[m.group(0)], text)


_COUNT_ENDING = re.compile(r"(总数|人数|户数|个数|数量|数)$")


def _shared_affixes(a: str, b: str) -> tuple[int, int]:
    """Lengths of the longest common prefix and suffix of two words, not overlapping either."""
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return prefix, suffix


def catalog_equivalences(elements: Iterable[tuple[str | None, Sequence[str] | None]]) -> dict[str, str]:
    """variant → canonical spelling, learned from the data-element catalog: (name, synonyms) per element.

    A synonym says what its element's name says (officers confirmed it, or the catalog's keepers listed it), so
    it folds to the name; and where the two differ only in the middle of a shared frame (就职单位 / 工作单位,
    最低生活保障户数 / 低保户数), the differing words fold too (就职 → 工作, 最低生活保障 → 低保), which is
    what lets app descriptions that never name the field read alike. Words are taken after OpenCC, NFKC and
    the curated list; a word of one character, a word inside its own canonical spelling (or around it), a
    curated word and a word two elements would fold differently are left out."""
    candidates: dict[str, set[str]] = {}
    curated = synonym_table()

    def offer(variant: str, canonical: str) -> None:
        if len(variant) < 2 or len(canonical) < 2 or variant in canonical or canonical in variant:
            return
        if variant in curated:
            return
        candidates.setdefault(variant, set()).add(canonical)

    for name, synonyms in elements:
        canonical = fold_synonyms(normalize_text(name))
        for synonym in synonyms or ():
            variant = fold_synonyms(normalize_text(synonym))
            if not variant or not canonical or variant == canonical:
                continue
            offer(variant, canonical)
            # Without the count ending: an app says 待业人员, a field 待业人员数.
            bare_variant, bare_canonical = _COUNT_ENDING.sub("", variant), _COUNT_ENDING.sub("", canonical)
            if bare_variant != variant and bare_canonical != canonical:
                offer(bare_variant, bare_canonical)
            prefix, suffix = _shared_affixes(variant, canonical)
            if prefix + suffix >= 2:
                offer(variant[prefix : len(variant) - suffix], canonical[prefix : len(canonical) - suffix])
    return {variant: next(iter(found)) for variant, found in candidates.items() if len(found) == 1}


class Folder:
    """Folds text with the curated list, then with extra equivalences (the catalog's); one compiled pattern."""

    def __init__(self, extra: Mapping[str, str] | None = None):
        self.extra = dict(extra or {})
        words = sorted(self.extra, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None

    def __call__(self, text: str) -> str:
        text = fold_synonyms(text)
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(lambda m: self.extra[m.group(0)], text)
