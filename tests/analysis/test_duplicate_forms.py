"""duplicate_forms, field_mappings and the consolidation plan on a small hand-made registry."""

from __future__ import annotations

from tests.analysis.helpers import XIHU, XIHU_CIVIL

ELEMENTS = [
    {
        "code": "DE1",
        "name": "低保户数",
        "synonyms": ["低保家庭户数"],
        "data_type": "number",
        "unit": "户",
        "region_path": "/",
    },
    {
        "code": "DE2",
        "name": "低保人数",
        "synonyms": ["低保对象人数"],
        "data_type": "number",
        "unit": "人",
        "region_path": "/",
    },
    {"code": "DE3", "name": "特困供养人数", "synonyms": [], "data_type": "number", "unit": "人", "region_path": "/"},
    {"code": "DE4", "name": "临时救助人次", "synonyms": [], "data_type": "number", "unit": "人次", "region_path": "/"},
    {"code": "DE5", "name": "户籍人口数", "synonyms": [], "data_type": "number", "unit": "人", "region_path": "/"},
]


def _form(code, title, issuer=XIHU_CIVIL, **kw):
    return {
        "code": code,
        "title": title,
        "issuer_code": issuer,
        "respondent_level": "township",
        "frequency": "month",
        "channel": "系统",
        "minutes_per_filing": 30.0,
        **kw,
    }


def _fields(form, names):
    return [
        {"form_code": form, "position": i, "name": n, "note": None, "data_type": "数值", "unit": None}
        for i, n in enumerate(names, start=1)
    ]


FORMS = [_form("FA", "低保月报"), _form("FB", "困难群众月报"), _form("FC", "救助情况月报"), _form("FD", "人口月报")]
FIELDS = (
    _fields("FA", ["低保户数", "低保人数", "特困供养人数", "临时救助人次"])
    + _fields("FB", ["低保家庭户数", "低保对象人数"])  # covered by FA → cancel
    + _fields("FC", ["特困供养人数", "临时救助人次", "低保人数", "党员人数"])  # shares 3 with FA, has an unmapped field
    + _fields("FD", ["户籍人口数", "党员人数"])
)


def test_the_plan_cancels_a_covered_form_and_names_the_shared_elements(analyse):
    result = analyse(forms=FORMS, fields=FIELDS, elements=ELEMENTS)
    doc = result.to_json_dict()
    assert {"field_mappings", "consolidation", "findings", "summary", "burden"} <= set(doc)
    mapped = {(m["form"], m["position"]): m["element"] for m in doc["field_mappings"]}
    assert len(doc["field_mappings"]) == len(FIELDS)
    assert mapped[("FB", 1)] == "DE1" and mapped[("FB", 2)] == "DE2" and mapped[("FC", 4)] is None
    entry = doc["field_mappings"][0]
    assert set(entry) == {"form", "position", "field", "element", "confidence"}
    forms = [f for f in doc["findings"] if f["type"] == "duplicate_forms"]
    cancel = next(f for f in forms if f["action"] == "cancel")
    assert cancel["items"] == ["FB", "FA"] and cancel["rule"] == "F4"
    assert cancel["evidence"]["shared_elements"] == ["DE1", "DE2"]
    assert cancel["hours_saved_per_month"] > 0
    merge = next(f for f in forms if f["action"] == "merge")
    assert sorted(merge["items"]) == ["FA", "FC"] and merge["evidence"]["shared_elements"] == ["DE2", "DE3", "DE4"]
    plan = doc["consolidation"]
    assert plan["forms_before"] == 4 and plan["forms_after"] == 2
    # indicators: FA 4 + FB 2 + FC 3 + 1 unmapped + FD 1 + 1 unmapped = 12; after: FA∪FC = 4 + 1, FD 2 → 7
    assert plan["indicators_before"] == 12 and plan["indicators_after"] == 7
    assert plan["hours_after_per_month"] < plan["hours_before_per_month"]


def test_forms_of_other_respondents_are_not_duplicates(analyse):
    other = [_form("FA", "低保月报"), _form("FB", "困难群众月报", respondent_level="village")]
    result = analyse(
        forms=other,
        fields=_fields("FA", ["低保户数", "低保人数"]) + _fields("FB", ["低保家庭户数", "低保对象人数"]),
        elements=ELEMENTS,
    )
    assert not [f for f in result.findings if f["type"] == "duplicate_forms"]
    assert result.consolidation["forms_after"] == 2


def test_a_confirmed_mapping_overrides_the_matcher(analyse):
    confirmed = [{"form_code": "FD", "position": 2, "element_code": "DE5"}]
    result = analyse(forms=FORMS, fields=FIELDS, elements=ELEMENTS, field_elements=confirmed)
    entry = next(m for m in result.field_mappings if (m["form"], m["position"]) == ("FD", 2))
    assert entry["element"] == "DE5" and entry["confidence"] == 1.0


def test_a_county_element_is_not_used_by_another_county(analyse):
    county_only = [
        {
            "code": "DX",
            "name": "网格员人数",
            "synonyms": [],
            "data_type": "number",
            "unit": "人",
            "region_path": "/330000000000/330100000000/330102000000/",
        }
    ]
    forms = [_form("FX", "网格月报", issuer=XIHU)]
    result = analyse(forms=forms, fields=_fields("FX", ["网格员人数"]), elements=county_only)
    assert result.field_mappings[0]["element"] is None


def test_without_a_catalog_every_field_is_its_own_indicator(analyse):
    result = analyse(forms=FORMS, fields=FIELDS)
    assert result.consolidation["indicators_before"] == result.consolidation["indicators_after"] == len(FIELDS)
    assert all(m["element"] is None for m in result.field_mappings)
