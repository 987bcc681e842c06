"""Chinese text normalisation shared by the importer, the analysis and the pre-check (no Django)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_MULTI_SEPARATORS = re.compile(r"[;；、,，\r\n]+")
_BRACKETED = re.compile(r"[(\[【（〔].*?[)\]】）〕]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2tw() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


def to_traditional(text: str) -> str:
    """Simplified to Traditional Chinese in Taiwan-standard forms (for display of stored source words)."""
    return _s2tw().convert(text) if text else ""


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Traditional → Simplified; cached because the same cell values repeat across millions of rows."""
    return _t2s().convert(text)


def normalize_text(value: object) -> str:
    """Full-width to half-width (NFKC), Traditional to Simplified, trimmed, inner spaces collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    text = _SPACES.sub(" ", text).strip()
    return to_simplified(text) if text else ""


def normalize_header(value: object) -> str:
    """A header cell reduced to what identifies its column: no spaces, no bracketed unit, no marks."""
    text = normalize_text(value)
    text = _BRACKETED.sub("", text)
    text = text.replace(" ", "").replace("*", "").replace("：", "").replace(":", "")
    return text.lower()


def split_multi(value: object) -> list[str]:
    """Split a multi-valued cell on every separator departments use; empty parts are dropped."""
    if value is None:
        return []
    text = unicodedata.normalize("NFKC", str(value))
    # NFKC maps the full-width separators to ASCII ones, so the pattern still lists both for clarity.
    parts = (normalize_text(part) for part in _MULTI_SEPARATORS.split(text))
    return [part for part in parts if part]
