"""duplicate_apps: paired by purpose within a region, never by generic functions alone."""

from __future__ import annotations

from tests.analysis.helpers import SHANGCHENG, XIHU, XIHU_CIVIL, app, of_type

# A small but varied catalogue: most apps list 通知公告 / 信息报送, as real ones do.
CATALOGUE = [
    app(
        "A1",
        name="西湖区疫苗接种预约",
        description="居民在线预约新冠疫苗接种，查询接种点和本人接种记录",
        functions=["预约登记", "通知公告"],
        monthly_active_users=900,
    ),
    app(
        "A2",
        name="西湖约苗小程序",
        category="mini_program",
        owner_code=XIHU_CIVIL,
        description="为辖区群众提供疫苗预约、接种门诊查询、接种记录查询等服务",
        functions=["预约挂号", "记录查询", "通知公告"],
        monthly_active_users=100,
    ),
    app(
        "A3",
        name="西湖区垃圾分类督查",
        description="社区垃圾分类督查打分，上报整改问题照片",
        functions=["通知公告", "信息报送"],
    ),
    app(
        "A4",
        name="西湖区党员先锋学习平台",
        description="党员在线学习党课、参加考试、查看学习积分",
        functions=["通知公告", "信息报送", "学习培训"],
    ),
    app(
        "A5",
        name="西湖区河长巡河",
        description="河长日常巡河打卡、问题上报和整改跟踪",
        functions=["通知公告", "信息报送", "考勤打卡"],
    ),
    app(
        "A6",
        name="上城区疫苗接种预约",
        owner_code=SHANGCHENG,
        description="居民在线预约新冠疫苗接种，查询接种点和本人接种记录",
        functions=["预约登记", "通知公告"],
    ),
    app(
        "A9",
        name="西湖区村务公开",
        description="村级事务公开，发布通知公告和财务信息",
        functions=["通知公告", "信息报送"],
    ),
    app(
        "A10",
        name="西湖区安全生产检查",
        description="企业安全生产检查记录、隐患上报和整改",
        functions=["通知公告", "信息报送", "数据采集"],
    ),
]


def test_paraphrased_same_purpose_apps_of_one_region_pair(analyse):
    found = of_type(analyse(apps=CATALOGUE), "duplicate_apps")
    assert [f["items"] for f in found] == [["A1", "A2"]]  # the busier app first: it is the one kept
    f = found[0]
    assert f["rule"] == "F5" and f["action"] == "merge" and f["owner_code"] == XIHU
    assert f["score"] >= 0.4 and f["evidence"]["purpose_similarity"] >= 0.3
    assert "疫苗" in f["reason"] and f["reason"].endswith("。")


def test_generic_functions_alone_never_pair(analyse):
    # Same region, identical generic function lists, unrelated purposes.
    apps = [
        app("B1", name="西湖区垃圾分类督查", description="社区垃圾分类督查打分", functions=["通知公告", "信息报送"]),
        app("B2", name="西湖区党员学习", description="党员在线学习党课、参加考试", functions=["通知公告", "信息报送"]),
        *CATALOGUE[4:5],
        *CATALOGUE[6:],
    ]
    assert of_type(analyse(apps=apps), "duplicate_apps") == []


def test_same_purpose_in_different_regions_does_not_pair(analyse):
    apps = [CATALOGUE[0], CATALOGUE[5], *CATALOGUE[2:5]]  # A1 (西湖区) and A6 (上城区) are word for word alike
    assert of_type(analyse(apps=apps), "duplicate_apps") == []


def test_same_level_option(analyse):
    from jianfu.analysis import AnalysisConfig

    # A2 belongs to a department of 西湖区: same region, and at county level like A1.
    found = of_type(analyse(apps=CATALOGUE, config=AnalysisConfig(dup_app_same_level=True)), "duplicate_apps")
    assert [f["items"] for f in found] == [["A1", "A2"]]
