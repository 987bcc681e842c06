"""Codes a person reads (rules, vocabulary words) have one definition and show in the UI language."""

from __future__ import annotations

import re

import opencc
import pytest
from django.utils import translation

from jianfu.analysis.schema import (
    ACCOUNT_ASSESSMENTS,
    APP_FEATURES,
    GROUP_DEMANDS,
    RULE_NAMES,
)
from jianfu.filings.precheck import RULE_LABELS as PRECHECK_RULE_LABELS
from jianfu.findings.labels import RULE_LABELS
from jianfu.registry.kinds import (
    ACCOUNT_PLATFORMS,
    CHANNELS,
    FORCED_FEATURES,
    GROUP_PLATFORMS,
)
from jianfu.registry.vocabulary import VALUE_LABELS, value_label

HAN = re.compile(r"[\u4e00-\u9fff]")
TO_TAIWAN = opencc.OpenCC("s2tw")


def test_rule_labels_come_from_the_analysis_names():
    assert {code: str(label) for code, label in RULE_LABELS.items()} == {
        code: f"{code} {name}" for code, name in RULE_NAMES.items()
    }
    assert all(PRECHECK_RULE_LABELS[code] is RULE_LABELS[code] for code in RULE_NAMES)


@pytest.mark.parametrize("labels", [PRECHECK_RULE_LABELS, VALUE_LABELS], ids=["rules", "vocabulary"])
def test_labels_are_english_in_english_and_taiwan_forms_in_zh_hant(labels):
    with translation.override("en"):
        chinese = {code: str(label) for code, label in labels.items() if HAN.search(str(label))}
    assert not chinese
    with translation.override("zh-hant"):
        simplified = {code: str(label) for code, label in labels.items() if TO_TAIWAN.convert(str(label)) != str(label)}
    assert not simplified


def test_every_vocabulary_word_has_a_ui_name():
    words = {
        *APP_FEATURES,
        *GROUP_DEMANDS,
        *ACCOUNT_ASSESSMENTS,
        *GROUP_PLATFORMS,
        *ACCOUNT_PLATFORMS,
        *FORCED_FEATURES,
        *CHANNELS,
    }
    assert words - set(VALUE_LABELS) == set()
    with translation.override("en"):
        assert value_label("打卡接龙") == "check-in chain"
        assert value_label("清波社区自定义要求") == "清波社区自定义要求"  # a word outside the vocabulary is data


def test_a_finding_reason_names_the_vocabulary_words_in_the_reader_language():
    from jianfu.findings.models import Finding
    from jianfu.findings.views import display_reason

    finding = Finding(
        reason="工作群「清波群」要求成员打卡接龙、即时回复，属于强制使用，建议整改。",
        reason_template="工作群「{name}」要求成员{terms}，属于强制使用，建议整改。",
        reason_params={"name": "清波群", "terms": "打卡接龙、即时回复"},
    )
    with translation.override("en"):
        assert display_reason(finding) == (
            "Work group “清波群” requires members to check-in chain, instant reply: forced use; rectify it."
        )
    assert display_reason(finding) == finding.reason
