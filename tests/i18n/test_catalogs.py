"""Every translation catalog (the project's and each app's) is complete, and zh-Hant holds one convention.

Convention: Traditional Chinese uses Taiwan-standard character forms (OpenCC t2tw: 群, 眾, 為, 裡, 線),
keeping mainland government vocabulary (臺賬, 數據). Mixed forms such as 工作羣 beside 工作群 read as errors.
"""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "jianfu"
HAN = re.compile(r"[\u4e00-\u9fff]")


def _catalogs(language: str) -> list[Path]:
    return sorted(SRC.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))


def _entries(path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header; plural forms joined."""
    entries, msgid, msgstr, fuzzy, current = [], [], [], False, None
    text = path.read_text(encoding="utf-8") + "\n\n"
    for line in text.split("\n"):
        if not line.strip():
            if msgid or msgstr:
                entries.append(("".join(msgid), "".join(msgstr), fuzzy))
            msgid, msgstr, fuzzy, current = [], [], False, None
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            current = msgid
            current.append(line[6:].strip().strip('"'))
        elif line.startswith("msgid_plural"):
            current = msgid
        elif line.startswith("msgstr"):
            current = msgstr
            current.append(line.split(" ", 1)[1].strip().strip('"'))
        elif line.startswith('"') and current is not None:
            current.append(line.strip('"'))
    return [e for e in entries if e[0]]


@pytest.mark.parametrize("language", ["en", "zh_Hant"])
def test_every_message_is_translated(language):
    catalogs = _catalogs(language)
    assert catalogs, f"no {language} catalog found"
    missing = [
        f"{p.relative_to(SRC)}: {msgid}"
        for p in catalogs
        for msgid, msgstr, fuzzy in _entries(p)
        if not msgstr or fuzzy
    ]
    assert not missing, "untranslated or fuzzy:\n" + "\n".join(missing[:30])


def _without_quoted_terms(msgid: str, msgstr: str) -> str:
    """A Chinese column name quoted 「like this」 in the source is a literal the user types; English keeps it."""
    for term in re.findall(r"「([^」]+)」", msgid):
        msgstr = msgstr.replace(term, "")
    return msgstr


def test_english_holds_no_chinese():
    leaks = [
        f"{p.relative_to(SRC)}: {msgid} → {msgstr}"
        for p in _catalogs("en")
        for msgid, msgstr, _ in _entries(p)
        if HAN.search(_without_quoted_terms(msgid, msgstr))
    ]
    assert not leaks, "\n".join(leaks[:30])


def test_traditional_uses_taiwan_standard_forms():
    taiwan = opencc.OpenCC("t2tw")
    off = [
        f"{p.relative_to(SRC)}: {msgstr} → {taiwan.convert(msgstr)}"
        for p in _catalogs("zh_Hant")
        for _, msgstr, _ in _entries(p)
        if taiwan.convert(msgstr) != msgstr
    ]
    assert not off, "\n".join(off[:30])


def test_traditional_is_not_left_simplified():
    to_traditional = opencc.OpenCC("s2tw")
    left = [
        f"{p.relative_to(SRC)}: {msgstr} → {to_traditional.convert(msgstr)}"
        for p in _catalogs("zh_Hant")
        for _, msgstr, _ in _entries(p)
        if to_traditional.convert(msgstr) != msgstr
    ]
    assert not left, "\n".join(left[:30])
