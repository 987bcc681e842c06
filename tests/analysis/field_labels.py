"""Readers for the labelled field set (tests/analysis/data): the catalog and the labels, and the scoring."""

from __future__ import annotations

from pathlib import Path

from jianfu.analysis.fields import CatalogElement, FieldMatcher

DATA = Path(__file__).parent / "data"


def read_catalog() -> list[CatalogElement]:
    out = []
    for line in (DATA / "field_catalog.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, synonyms, unit = (line.split("\t") + ["", "", ""])[:4]
        out.append(CatalogElement(code, name, tuple(s for s in synonyms.split(";") if s), unit=unit or None))
    return out


def read_labels(split: str | None = None, file: str = "field_labels.tsv") -> list[tuple[str, str | None]]:
    out = []
    for line in (DATA / file).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, expected, part = line.split("\t")
        if split is None or part == split:
            out.append((name, None if expected == "NONE" else expected))
    return out


def score(matcher: FieldMatcher, labels: list[tuple[str, str | None]]) -> dict:
    """Accuracy on in-catalog fields, share of novel fields left unmapped, and the misses."""
    known = [(n, e) for n, e in labels if e]
    novel = [n for n, e in labels if e is None]
    misses = []
    right = 0
    for name, expected in known:
        got = matcher.match(name)
        if got.element == expected:
            right += 1
        else:
            misses.append((name, expected, got))
    unmapped = 0
    for name in novel:
        got = matcher.match(name)
        if got.element is None:
            unmapped += 1
        else:
            misses.append((name, None, got))
    return {
        "known": len(known),
        "accuracy": right / len(known) if known else 1.0,
        "novel": len(novel),
        "unmapped": unmapped / len(novel) if novel else 1.0,
        "misses": misses,
    }
