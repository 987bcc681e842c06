"""The field matcher: normalisation, exact and synonym matches, the vetoes, learning, the labelled set."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jianfu.analysis.fields import CatalogElement, FieldMatcher, normalise_field, veto
from jianfu.textnorm import to_traditional
from tests.analysis.field_labels import read_catalog, read_labels, score

CATALOG = read_catalog()
MATCHER = FieldMatcher(CATALOG)
NAMES = [e.name for e in CATALOG]
LABELLED = [name for name, _ in read_labels()]
UNITS = ["人", "户", "亩", "元", "万元", "个", "处", "家", "人次", "%"]


def test_normalise_takes_brackets_units_widths_and_numerals_out():
    f = normalise_field("六十周岁及以上老年人数（人）")
    assert (f.text, f.unit, f.value_kind, f.numbers) == ("60岁以上老年人数", "人", "persons", ("60",))
    g = normalise_field("戶籍人口數 (人)")
    # counts of persons end in one spelling: 户籍人口数 / 户籍人口 / 户籍总人口 → 户籍人数
    assert g.text == "户籍人数" and g.unit == "人" and "residence:户籍" in g.qualifiers
    assert normalise_field("户籍总人口").text == normalise_field("户籍人口").text == "户籍人数"
    assert normalise_field("1、户主姓名：").text == "户主姓名"  # numbering and colon out
    assert normalise_field("耕地面积　［亩］").unit == "亩"
    assert normalise_field("低保户数（含新增）").unit is None  # a note, not a unit
    assert normalise_field("本人身份证号").text == normalise_field("公民身份号码").text  # 本人 is the default role


def test_exact_synonym_and_ngram_matches():
    assert MATCHER.match("戶籍人口數（人）").element == "DE012"
    assert MATCHER.match("户籍总人口").reason == "exact"  # the same as the name once normalised
    assert (MATCHER.match("低保对象人数（人）").element, MATCHER.match("低保对象人数").reason) == ("DE020", "synonym")
    assert MATCHER.match("80岁以上高龄老人").reason == "ngram"


def test_novel_field_is_left_unmapped():
    got = MATCHER.match("燃气报警器安装户数")
    assert got.element is None and got.confidence < MATCHER.threshold or got.reason.startswith("veto")


def test_vetoes_hold_on_near_identical_names():
    assert veto(normalise_field("户籍人口数"), normalise_field("常住人口数")) == "qualifier"
    assert veto(normalise_field("户主姓名"), normalise_field("联系人姓名")) == "qualifier"
    assert veto(normalise_field("医保应缴人数"), normalise_field("医保已缴人数")) == "qualifier"
    assert veto(normalise_field("低保户数"), normalise_field("低保人数")) == "kind"
    assert veto(normalise_field("耕地面积（亩）"), normalise_field("耕地面积（元）")) == "kind"
    assert veto(normalise_field("60岁以上老年人数"), normalise_field("80岁以上老年人数")) == "number"
    assert veto(normalise_field("残疾人姓名"), normalise_field("姓名")) == "subject"
    assert MATCHER.match("常住户数").element == "DE015" and MATCHER.match("户籍户数").element == "DE014"


def test_a_negation_on_one_side_vetoes():
    assert veto(normalise_field("未整改隐患数"), normalise_field("整改隐患数")) == "qualifier"
    assert veto(normalise_field("非户籍人口数"), normalise_field("户籍人口数")) == "qualifier"
    assert veto(normalise_field("未整改隐患数（处）"), normalise_field("未整改隐患数")) is None
    # a word that holds the negation is its own qualifier, read once: 未缴 against 已缴 is a payment
    assert normalise_field("医保未缴人数").qualifiers == frozenset({"payment:未缴"})
    assert "negation:不" not in normalise_field("不动产登记数").qualifiers
    assert MATCHER.match("未整改隐患数").element is None and MATCHER.match("整改隐患数").element == "DE048"


def test_a_bare_role_with_its_attribute_in_brackets_asks_that_attribute():
    assert normalise_field("户主（姓名）").text == normalise_field("户主姓名").text
    assert normalise_field("联系人（电话）").text == normalise_field("联系人电话").text
    assert MATCHER.match("戶主（姓名）").element == "DE008"
    # a unit or a note in the bracket stays out; a bracket after a name that is no bare role stays out
    assert normalise_field("户主（人）").text == "户主"
    assert normalise_field("低保户数（户主姓名）").text == normalise_field("低保户数").text
    assert normalise_field("户主（签字）").text == "户主"


def test_learning_a_confirmed_name_maps_it_exactly_next_time():
    matcher = FieldMatcher(CATALOG)
    assert matcher.match("本户在家人口").element is None
    matcher.add_synonym("DE011", "本户在家人口")
    got = matcher.match("本戶在家人口（人）")
    assert (got.element, got.confidence, got.reason) == ("DE011", 1.0, "synonym")


def test_match_many_keeps_order():
    got = MATCHER.match_many(["户籍人口", "燃气报警器安装户数", "户籍户数"])
    assert [g.field for g in got] == ["户籍人口", "燃气报警器安装户数", "户籍户数"]
    assert [g.element for g in got] == ["DE012", None, "DE014"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(NAMES + LABELLED))
def test_traditional_and_simplified_map_alike(name):
    assert MATCHER.match(to_traditional(name)).element == MATCHER.match(name).element


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NAMES + LABELLED), st.sampled_from(UNITS), st.sampled_from(["（{}）", "({})", "[{}]", "【{}】"]))
def test_a_unit_in_brackets_never_changes_the_element(name, unit, brackets):
    base = MATCHER.match(name).element
    with_unit = MATCHER.match(name + brackets.format(unit))
    # the unit may veto (户籍人口 in 亩 is no count of persons) but never moves the field to another element
    assert with_unit.element in (base, None)
    if normalise_field(name).unit is None and with_unit.element is None and base is not None:
        assert with_unit.reason.startswith("veto:") or with_unit.reason == "below_threshold"


_PAIRS = [
    ("户籍", "常住"),
    ("户主", "联系人"),
    ("本人", "联系人"),
    ("户主", "家庭成员"),
    ("应缴", "已缴"),
    ("新增", "累计"),
    ("男性", "女性"),
    ("城镇", "农村"),
]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(_PAIRS),
    st.sampled_from(["人口数", "姓名", "电话", "人数", "户数", "身份证号"]),
    st.sampled_from(["", "低保", "医保", "脱贫"]),
)
def test_qualifier_words_that_change_whose_value_it_is_veto(pair, noun, topic):
    a, b = pair
    catalog = [CatalogElement("X1", f"{topic}{a}{noun}"), *CATALOG]
    matcher = FieldMatcher(catalog)
    assert matcher.match(f"{topic}{b}{noun}").element != "X1"


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["护林员", "网格员", "低保", "脱贫", "党员", "志愿者"]))
def test_value_kinds_veto(noun):
    matcher = FieldMatcher([CatalogElement("P", f"{noun}人数", unit="人")])
    assert matcher.match(f"{noun}户数").element is None
    assert matcher.match(f"{noun}人数（户）").element is None
    assert matcher.match(f"{noun}人数（人）").element == "P"


def test_labelled_set_meets_the_goals_on_both_halves():
    for split in ("tune", "heldout"):
        result = score(MATCHER, read_labels(split))
        assert result["accuracy"] >= 0.95, (split, result["misses"])
        assert result["unmapped"] >= 0.85, (split, result["misses"])


def test_later_held_out_sets_stay_where_they_were_measured():
    # each was measured once before the changes it then guided (docs/analysis.md gives both figures); these
    # floors are the first measurements, so a change that loses what the sets taught fails here
    for split, file in (
        ("heldout2", "field_labels_heldout2.tsv"),
        ("heldout3", "field_labels_heldout3.tsv"),
        ("heldout4", "field_labels_heldout4.tsv"),
        ("heldout5", "field_labels_heldout5.tsv"),
    ):
        result = score(MATCHER, read_labels(split, file))
        assert result["accuracy"] >= 0.94, (split, result["misses"])
        assert result["unmapped"] >= 0.93, (split, result["misses"])


def test_suggestions_for_the_officer_leave_vetoed_elements_out():
    got = MATCHER.suggest("低保户户数（户）", limit=3)
    assert got[0].element == "DE019" and got[0].confidence == 1.0
    assert "DE020" not in [g.element for g in got]  # persons, not households
    assert len({g.element for g in got}) == len(got) <= 3
    assert MATCHER.suggest("") == []


def test_the_same_characters_in_another_order_map():
    got = MATCHER.match("隐患整改数（处）")
    assert (got.element, got.reason) == ("DE048", "reordered")
    assert MATCHER.match("整改隐患户数").element is None  # households, not hazards


def test_match_many_with_worker_processes_gives_the_same_answers():
    names = [f"{name}（人）" if i % 3 else name for i, name in enumerate(NAMES * 160 + LABELLED * 40)]
    names += [f"第{i}号新字段{i % 97}" for i in range(3000)]  # distinct novel names, so each worker has work
    matcher = FieldMatcher(CATALOG)
    assert matcher.match_many(names, processes=2) == FieldMatcher(CATALOG).match_many(names)
