"""jianfu.analysis.similarity: the pure measures behind the pre-check (no database)."""

from __future__ import annotations

from jianfu.analysis.similarity import (
    AppIndex,
    account_score,
    field_key,
    form_overlap,
    group_overlap,
    name_similarity,
    text_similarity,
)

CATALOGUE = [
    {
        "code": "A1",
        "name": "西湖区疫苗接种预约",
        "description": "居民在线预约新冠疫苗接种，查询接种点和本人接种记录",
        "functions": ["预约登记", "通知公告"],
        "places": ["西湖区"],
    },
    {
        "code": "A2",
        "name": "西湖区垃圾分类督查",
        "description": "社区垃圾分类督查打分，上报整改问题照片",
        "functions": ["督查打分", "通知公告", "信息报送"],
        "places": ["西湖区"],
    },
    {
        "code": "A3",
        "name": "西湖区河长巡河",
        "description": "河长日常巡河打卡、问题上报和整改跟踪",
        "functions": ["巡河打卡", "问题上报", "通知公告"],
        "places": ["西湖区"],
    },
    {
        "code": "A4",
        "name": "西湖区党员先锋学习平台",
        "description": "党员在线学习党课、参加考试、查看学习积分",
        "functions": ["通知公告", "学习培训"],
        "places": ["西湖区"],
    },
]


def test_a_paraphrased_app_ranks_its_original_first_and_is_a_duplicate():
    index = AppIndex(CATALOGUE)
    ranked = index.rank(
        {
            "name": "西湖约苗小程序",
            "description": "为辖区群众提供疫苗预约、接种门诊查询、接种记录查询",
            "functions": ["预约登记", "记录查询"],
            "places": ["西湖区"],
        }
    )
    assert ranked[0]["code"] == "A1" and ranked[0]["duplicate"]
    assert ranked[0]["evidence"]["shared_functions"] == ["预约登记"]
    assert [m["score"] for m in ranked] == sorted((m["score"] for m in ranked), reverse=True)


def test_generic_functions_alone_never_make_a_duplicate():
    index = AppIndex(CATALOGUE)
    ranked = index.rank(
        {
            "name": "西湖区村务公开",
            "description": "村级事务公开，发布财务信息",
            "functions": ["通知公告", "信息报送"],
            "places": ["西湖区"],
        }
    )
    assert not any(m["duplicate"] for m in ranked)


def test_candidates_limit_the_ranking():
    index = AppIndex(CATALOGUE)
    ranked = index.rank(
        {"name": "疫苗接种预约", "description": "预约疫苗接种", "functions": []}, candidates={"A2", "A3"}
    )
    assert {m["code"] for m in ranked} <= {"A2", "A3"}


def test_group_overlap_uses_the_detector_thresholds():
    ev = group_overlap(10, 10, 9)  # Jaccard 9/11 ≥ 0.8
    assert ev["qualifies_jaccard"] and ev["jaccard"] == round(9 / 11, 4)
    ev = group_overlap(6, 10, 6)  # subgroup: ≥ 5 members, ≥ half the larger, all contained
    assert not ev["qualifies_jaccard"] and ev["qualifies_containment"] and ev["proposal_covered"] == 1.0
    ev = group_overlap(4, 10, 4)  # too small for containment
    assert not ev["qualifies_jaccard"] and not ev["qualifies_containment"]


def test_field_keys_absorb_units_and_measure_words():
    assert field_key("参与群众人数（人）") == field_key("参与群众人") == "参与群众"
    assert field_key("志願服務隊伍個數") == field_key("志愿服务队伍个") == "志愿服务队伍"
    ev = form_overlap(["低保户数(户)", "低保人数", "临时救助人次"], ["低保户数", "低保人数（人）", "特困供养人数"])
    assert ev["shared_fields"] == 2 and ev["proposal_covered"] == round(2 / 3, 4)


def test_names_and_accounts():
    assert name_similarity("上城发布", "上城發佈") == 1.0
    assert name_similarity("上城发布", "上城发布（新）") > name_similarity("上城发布", "拱墅民政")
    assert text_similarity("", "abc") == 0.0
    assert account_score(1.0, True, True) == 1.0 and account_score(0.5, False, False) == 0.3
