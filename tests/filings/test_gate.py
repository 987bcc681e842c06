"""The filing gate catches the obvious: a name the owner already uses, members all inside one group, forced-use
demands written in free text, and the nearest of equally similar items first."""

from __future__ import annotations

import pytest

from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.demand_phrases import find_demands
from jianfu.analysis.detectors.duplicate_groups import is_subset_of_larger, qualifies
from jianfu.analysis.similarity import group_overlap, names_near_identical
from jianfu.filings.precheck import Prechecker, breaks_a_rule
from tests.filings.gate_data import add_app, add_group, add_people
from tests.web.conftest import BUREAU, COMMUNITY, COUNTY, TOWNSHIP

pytestmark = pytest.mark.django_db


def group_item(name: str, members: list[str], owner: str = BUREAU, **extra) -> dict:
    return {
        "kind": "groups",
        "code": "NEW1",
        "name": name,
        "owner_code": owner,
        "platform": "微信",
        "nature": "standing",
        "task_end_date": None,
        "purpose": extra.pop("purpose", "汛期值守"),
        "demands": [],
        "members": members,
        "justification": "工作需要",
        **extra,
    }


def criterion(result: dict, n: int) -> dict:
    return next(c for c in result["criteria"] if c["id"] == n)


def flags(result: dict) -> set[tuple[str, str]]:
    return {(v["rule"], v["severity"]) for v in result["violations"]}


# --- names -------------------------------------------------------------------------------------------------


def test_a_same_name_group_without_members_is_flagged_and_not_passed(cast):
    # G1 「防汛工作群」 belongs to the bureau; the bureau proposes it again, with no member list.
    result = Prechecker().check(group_item("防汛工作群", []))
    first = result["similar"][0]
    assert first["code"] == "G1" and first["duplicate"] and first["evidence"]["same_name"]
    assert ("F4", "flag") in flags(result) and breaks_a_rule(result)
    f4 = next(v for v in result["violations"] if v["rule"] == "F4")
    assert f4["item"] == "G1" and "本单位" in f4["reason"] and "同名" in f4["reason"]
    assert criterion(result, 2)["answer"] == "no"


def test_a_traditional_or_near_identical_name_of_the_owner_needs_the_reviewer(cast):
    traditional = Prechecker().check(group_item("防汛工作羣", []))
    assert criterion(traditional, 2)["answer"] == "no" and traditional["similar"][0]["code"] == "G1"
    near = Prechecker().check(group_item("森林防火群2", ["P3"]))
    assert near["similar"][0]["code"] == "G2" and near["similar"][0]["evidence"]["identical_name"] is False
    assert criterion(near, 2)["answer"] == "open" and ("F4", "flag") in flags(near)


def test_a_name_used_in_another_region_is_no_duplicate_signal(cast):
    # 拱墅防汛群 (G3) belongs to another county; 清波社区网格群 (G4) to the community, a region below the bureau's.
    for name in ("拱墅防汛群", "清波社区网格群"):
        result = Prechecker().check(group_item(name, ["P3"]))
        assert not any(s["evidence"].get("same_name") for s in result["similar"])
        assert criterion(result, 2)["answer"] != "no"


def test_a_same_name_in_the_region_from_another_department_counts(cast):
    # The county office proposes the bureau's group name: same region (the county), another owner.
    result = Prechecker().check(group_item("防汛工作群", [], owner=COUNTY))
    assert result["similar"][0]["evidence"]["same_owner"] is False
    assert criterion(result, 2)["answer"] == "open"
    assert any("本地区" in v["reason"] for v in result["violations"] if v["rule"] == "F4")


def test_same_name_apps_and_forms_are_flagged_f5_and_f4(cast):
    app = Prechecker().check(
        {
            "kind": "apps",
            "code": "NEW1",
            "name": "清波通",
            "owner_code": BUREAU,
            "functions": ["预约挂号"],
            "description": "预约挂号",
        }
    )
    assert ("F5", "flag") in flags(app) and app["similar"][0]["code"] == "A1"
    form = Prechecker().check(
        {
            "kind": "forms",
            "code": "NEW1",
            "name": "低保对象月报表",
            "owner_code": BUREAU,
            "fields": [{"name": "危房户数"}],
        }
    )
    assert ("F4", "flag") in flags(form) and criterion(form, 2)["answer"] == "no"


def test_names_near_identical_rule():
    assert names_near_identical("防汛工作群", "防汛 工作羣") == (True, 1.0)
    assert names_near_identical("防汛工作群", "防汛工作群2")[0]
    assert not names_near_identical("一组工作群", "二组工作群")[0]
    assert not names_near_identical("", "防汛工作群")[0]


# --- members -------------------------------------------------------------------------------------------------


def test_forty_members_all_inside_one_group_is_a_duplicate_by_containment(cast):
    people = add_people(70, COMMUNITY)
    add_group("G40", "社区综合工作群", BUREAU, people)
    members = [p.code for p in people[:40]]
    result = Prechecker().check(group_item("社区志愿服务群", members))
    first = result["similar"][0]
    assert first["code"] == "G40" and first["duplicate"]
    assert first["evidence"]["qualifies_containment"] and not first["evidence"]["qualifies_jaccard"]
    assert ("F4", "flag") in flags(result) and criterion(result, 2)["answer"] == "no"
    assert "已在该群中" in next(v["reason"] for v in result["violations"] if v["rule"] == "F4")


def test_members_inside_an_all_staff_group_are_a_subset_note_not_a_duplicate(cast):
    people = add_people(200, COMMUNITY)
    add_group("GALL", "全体干部群", BUREAU, people)
    result = Prechecker().check(group_item("社区志愿服务群", [p.code for p in people[:40]]))
    first = result["similar"][0]
    assert first["code"] == "GALL" and not first["duplicate"] and first["evidence"]["subset_of_larger"]
    assert "F4" not in {v["rule"] for v in result["violations"]}
    assert any("子集" in note for note in result["notes"])
    assert criterion(result, 2)["answer"] == "open" and "子集" in criterion(result, 2)["note"]


def test_the_group_rule_is_the_detectors_own():
    config = AnalysisConfig()
    # 40 of 40 inside 80: containment (size ratio 1/2 met); inside 81: a subset of a far larger group.
    assert qualifies(config, 40, 80, 40) == (False, True)
    assert qualifies(config, 40, 81, 40) == (False, False) and is_subset_of_larger(config, 40, 81, 40)
    assert not is_subset_of_larger(config, 4, 200, 4)  # below the minimum of 5 members
    assert not is_subset_of_larger(config, 40, 200, 35)  # 87.5% inside: under the 90% share
    evidence = group_overlap(40, 80, 40, config)
    assert evidence["qualifies_containment"] and not evidence["subset_of_larger"]


# --- forced use written in free text ---------------------------------------------------------------------------


def test_forced_use_written_in_the_purpose_is_refused(cast):
    result = Prechecker().check(group_item("社区值守群", ["P3"], purpose="群成员每日打卡，未打卡的通报批评"))
    f1 = next(v for v in result["violations"] if v["rule"] == "F1")
    assert f1["severity"] == "refuse" and "每日打卡" in f1["terms"]
    assert {"field": "purpose", "text": "未打卡的通报批评"} in f1["written"]
    assert "用途中写有" in f1["reason"]


def test_forced_use_in_traditional_characters_and_in_a_justification(cast):
    app = {
        "kind": "apps",
        "code": "NEW1",
        "name": "社区走访",
        "owner_code": BUREAU,
        "functions": ["走访记录"],
        "description": "走訪完成後截圖上傳",
        "justification": "按積分排名通報",
    }
    rules = {v["rule"]: v for v in Prechecker().check(app)["violations"]}
    assert {"F2", "F3"} <= set(rules)
    assert rules["F2"]["written"] == [{"field": "description", "text": "截图上传"}]


def test_a_forbidden_demand_or_an_ordinary_function_is_no_violation(cast):
    result = Prechecker().check(group_item("社区值守群", ["P3"], purpose="严禁要求群成员每日打卡，考勤打卡按制度执行"))
    assert not {"F1", "F2", "F3"} & {v["rule"] for v in result["violations"]}


def test_demand_phrases_lexicon():
    assert [d.label for d in find_demands("每天簽到打卡，對不按時回覆的扣分")] == ["每日打卡", "未打卡通报批评"]
    assert [d.rule for d in find_demands("工作照片上传群里，收到请回复")] == ["F2", "F1"]
    assert find_demands("考勤打卡、通知公告、积分") == []
    assert find_demands(None) == []


# --- equally similar items: the nearest first ------------------------------------------------------------------


def test_equally_similar_apps_rank_the_same_owner_first(cast):
    text = "居民议事协商，线上投票表决"
    # Same text, the township's app has the smaller code: only the owner decides the tie.
    add_app("A01", "清波议事厅", TOWNSHIP, text, ["议事协商", "投票表决"])
    add_app("A99", "清波社区议事厅", COMMUNITY, text, ["议事协商", "投票表决"])
    proposal = {
        "kind": "apps",
        "code": "NEW1",
        "name": "议事厅",
        "owner_code": COMMUNITY,
        "functions": ["议事协商", "投票表决"],
        "description": text,
    }
    ranked = Prechecker().check(proposal)["similar"]
    assert ranked[0]["score"] == ranked[1]["score"]
    assert [s["code"] for s in ranked[:2]] == ["A99", "A01"]
    ranked = Prechecker().check({**proposal, "owner_code": TOWNSHIP})["similar"]
    assert [s["code"] for s in ranked[:2]] == ["A01", "A99"]


def test_equally_similar_groups_rank_the_same_region_then_the_closer_name_first(cast):
    people = add_people(6, COMMUNITY)
    add_group("GA", "网格群", TOWNSHIP, people)  # another region (the township) — smallest code
    add_group("GB", "清波社区网格", COMMUNITY, people)  # same region as the proposer, another name
    add_group("GC", "清波社区网格工作", COMMUNITY, people)
    result = Prechecker().check(group_item("清波社区网格工作群", [p.code for p in people], owner=COMMUNITY))
    codes = [s["code"] for s in result["similar"] if s["code"] in ("GA", "GB", "GC")]
    assert codes == ["GC", "GB", "GA"]


def test_an_owner_not_in_the_registry_is_compared_with_everything_without_name_signals(cast):
    for kind, extra in (
        ("groups", {"members": ["P1", "P2"]}),
        ("apps", {"functions": ["信息报送"]}),
        ("accounts", {"platform": "微信公众号"}),
        ("forms", {"fields": [{"name": "低保户数"}]}),
    ):
        result = Prechecker().check(
            {"kind": kind, "code": "NEW1", "name": "防汛工作群", "owner_code": "999999999999", **extra}
        )
        assert any("不在台账中" in note for note in result["notes"])
        assert not any(s["evidence"].get("same_name") for s in result["similar"])


def test_same_name_groups_never_push_the_measured_duplicate_out(cast):
    # Ten groups sharing the proposal's members fill the list; eleven more of the bureau carry its name and share
    # no member: one of them (the first by code) takes the last place, the measure's best stay on top.
    people = add_people(12, COMMUNITY)
    for i in range(10):
        add_group(f"GM{i:02d}", f"社区联络{i}组", BUREAU, people[: 12 - i])
    for i in range(11):
        add_group(f"GN{i:02d}", "理论学习工作群", BUREAU, [])
    result = Prechecker().check(group_item("理论学习工作群", [p.code for p in people]))
    codes = [s["code"] for s in result["similar"]]
    assert codes[:9] == [f"GM{i:02d}" for i in range(9)] and codes[9] == "GN00"
    assert next(v for v in result["violations"] if v["rule"] == "F4")["item"] == "GM00"
    # With room in the list the name matches follow the measure's ranking.
    few = Prechecker().check(group_item("理论学习工作群", [people[0].code, "P3"]))
    few_codes = [s["code"] for s in few["similar"]]
    first_by_name = next(i for i, code in enumerate(few_codes) if code.startswith("GN"))
    assert all(not code.startswith("GN") for code in few_codes[:first_by_name]) and first_by_name >= 2
    assert all(code.startswith("GN") for code in few_codes[first_by_name:])
