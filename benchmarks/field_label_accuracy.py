"""Accuracy of the field matcher on every labelled set of tests/analysis/data (docs/elements.md, docs/analysis.md).

    PYTHONPATH=src python benchmarks/field_label_accuracy.py [-v]

In-catalog accuracy is the share of fields with an element mapped to it; "novel left unmapped" the share of
fields the catalog does not hold that map to nothing. -v lists the misses of every set."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jianfu.analysis.fields import FieldMatcher  # noqa: E402
from tests.analysis.field_labels import read_catalog, read_labels, score  # noqa: E402

SETS = [
    ("tune", "field_labels.tsv"),
    ("heldout", "field_labels.tsv"),
    ("heldout2", "field_labels_heldout2.tsv"),
    ("heldout3", "field_labels_heldout3.tsv"),
    ("heldout4", "field_labels_heldout4.tsv"),
    ("heldout5", "field_labels_heldout5.tsv"),
]


def main(verbose: bool) -> None:
    matcher = FieldMatcher(read_catalog())
    for split, file in SETS:
        result = score(matcher, read_labels(split, file))
        right = round(result["accuracy"] * result["known"])
        left = round(result["unmapped"] * result["novel"])
        print(
            f"{split:9} in-catalog {right}/{result['known']} = {result['accuracy']:.3f}"
            f"   novel left unmapped {left}/{result['novel']} = {result['unmapped']:.3f}"
        )
        if verbose:
            for name, expected, got in result["misses"]:
                print(f"    {name}: expected {expected}, got {got.element} ({got.confidence:.3f}, {got.reason})")


if __name__ == "__main__":
    main("-v" in sys.argv)
