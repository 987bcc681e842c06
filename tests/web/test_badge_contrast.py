"""Status badges (and the muted text) reach WCAG 2.1 AA contrast, 4.5:1, computed from app.css itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import jianfu

CSS = (Path(jianfu.__file__).parent / "static" / "jianfu" / "app.css").read_text(encoding="utf-8")
AA_NORMAL_TEXT = 4.5


def colour(value: str) -> str:
    """A colour from the stylesheet, with var(--name) resolved from :root."""
    named = re.fullmatch(r"var\((--[\w-]+)\)", value.strip())
    if named:
        return re.search(re.escape(named.group(1)) + r":\s*(#[0-9a-fA-F]{6})", CSS).group(1)
    return value.strip()


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rule(selector: str) -> dict[str, str]:
    body = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", CSS).group(1)
    return dict(
        (name.strip(), value.strip())
        for name, value in (declaration.split(":", 1) for declaration in body.split(";") if ":" in declaration)
    )


@pytest.mark.parametrize("selector", [".tag", ".tag-warn", ".tag-bad", ".tag-ok"])
def test_each_badge_reads_at_aa_contrast(selector):
    declarations = {**rule(".tag"), **rule(selector)}
    ratio = contrast(colour(declarations["color"]), colour(declarations["background"]))
    assert ratio >= AA_NORMAL_TEXT, f"{selector}: {ratio:.2f}:1"


def test_the_contrast_sum_matches_the_published_example():
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # WebAIM's well-known just-failing grey
