"""FastJSONField reads every JSON text as Django's JSONField does: the same values, of the same types."""

from __future__ import annotations

import json
import math

import pytest
from django.db import connection, models
from django.db.models.fields.json import KeyTransform
from hypothesis import given, settings
from hypothesis import strategies as st

from jianfu.findings.models import Finding
from jianfu.jsonfield import FastJSONField

PLAIN, FAST = models.JSONField(), FastJSONField()

# Where orjson alone would differ from json.loads, or refuse what json.loads reads.
AWKWARD_TEXTS = [
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551616",
    "-9223372036854775809",
    "123456789012345678901234567890",
    '{"id": 123456789012345678901234567890}',
    "0.1234567890123456789012",
    "1e400",
    "-1e400",
    "NaN",
    "Infinity",
    "[NaN, -Infinity]",
    '"\\ud800"',
    '{"a": "\\udfff x"}',
    "[" * 1100 + "]" * 1100,
    '{"a": 1, "a": 2}',
    "-0",
    "-0.0",
    "5e-324",
    "2.5e-324",
    '["工作群", "\\u5de5", "\\u0000"]',
    "not json",
    "[1, 2",
    "",
]


def same(a, b) -> bool:
    """Equal values of equal types all the way down (1 == 1.0 and nan != nan would mislead)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    return a == b


def read(field, text):
    return field.from_db_value(text, None, connection)


def outcome(field, text):
    """The value read, or the kind of error raised (json.loads gives up on very deep nesting)."""
    try:
        return read(field, text)
    except RecursionError as exc:
        return type(exc)


@pytest.mark.parametrize("text", AWKWARD_TEXTS, ids=range(len(AWKWARD_TEXTS)))
def test_awkward_texts_read_as_json_loads_reads_them(text):
    assert same(outcome(FAST, text), outcome(PLAIN, text))


def test_the_check_can_fail():
    assert not same(read(PLAIN, "18446744073709551616"), 1.8446744073709552e19)
    assert not same([1], [1.0]) and not same({"a": 1, "b": 2}, {"b": 2, "a": 1})


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from('\ud800\udfff工作群\x00"\\')),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, ensure_ascii=st.booleans())
def test_any_text_json_dumps_writes_reads_the_same(value, ensure_ascii):
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    assert same(read(FAST, text), read(PLAIN, text))


def test_null_and_what_sqlite_hands_back_for_a_key_pass_as_before():
    assert read(FAST, None) is None
    key = KeyTransform("n", "evidence")
    assert FAST.from_db_value(5, key, connection) == 5 and FAST.from_db_value("[1]", key, connection) == [1]


def test_migrations_see_a_plain_json_field():
    assert Finding._meta.get_field("evidence").deconstruct()[1] == "django.db.models.JSONField"


@pytest.mark.django_db
def test_a_stored_finding_reads_back_as_the_database_text_decodes(db):
    evidence = {"id_number": 123456789012345678901234567890, "ratio": 0.1, "名称": "工作群", "nested": [[1, 2.5], {}]}
    finding = Finding.objects.create(fid="f-json", type="t", rule="F1", action="cancel", reason="r", evidence=evidence)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT evidence FROM {Finding._meta.db_table} WHERE id = %s", [finding.pk])
        stored = cursor.fetchone()[0]
    stored_text = stored if isinstance(stored, str) else json.dumps(stored)
    read_back = Finding.objects.values_list("evidence", flat=True).get(pk=finding.pk)
    # PostgreSQL's jsonb keeps its own key order, so the saved dict is compared as a dict.
    assert same(read_back, json.loads(stored_text)) and read_back == evidence
