"""Government-work synonyms: one spelling for words that say the same thing (no Django).

The curated list is ``data/gov_synonyms.tsv`` (its header states its source). :func:`fold_synonyms` rewrites
every variant to its canonical spelling, longest variant first, so that 线上报送 and 在线上报 read alike.
The field matcher, the purpose similarity of ``duplicate_apps`` and the filing pre-check all fold with it:
one notion of "the same thing said differently". Synonyms learned from confirmed field mappings are the
catalog's own (:meth:`jianfu.analysis.fields.FieldMatcher.add_synonym`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["fold_synonyms", "synonym_table"]


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
