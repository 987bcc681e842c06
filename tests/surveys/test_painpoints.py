"""Open answers grouped into pain points by jieba keywords, with counts; small groups are not named."""

from __future__ import annotations

from jianfu.analysis.painpoints import cluster, keywords

CHECKIN = [
    "工作群太多，每天晚上都要打卡接龙",
    "每天晚上群里打卡接龙，周末也要",
    "打卡接龙占用大量时间",
    "群里要求打卡接龙",
    "晚上打卡接龙很烦",
]
FORMS = [
    "同样的数据要在三个报表里重复填报",
    "报表重复填报，数据不能共享",
    "多个部门要同一份报表，重复填报",
    "重复填报报表浪费时间",
    "报表太多重复填报严重",
]


def test_keywords_know_the_campaigns_words():
    words = [w for w, _ in keywords("工作群每天晚上都要打卡接龙")]
    assert "打卡" in words and "接龙" in words and "工作群" in words


def test_two_pain_points_of_five_and_the_rest_unnamed():
    points, rest = cluster(CHECKIN + FORMS + ["学习强国积分排名压力大", "希望取消", ""])
    assert [p.count for p in points] == [5, 5]
    named = {frozenset(p.keywords) for p in points}
    assert any({"打卡", "接龙"} <= k for k in named) and any({"重复填报", "报表"} <= k for k in named)
    assert rest == 2  # the ranking answer and the one without keywords; blank answers are not counted


def test_four_alike_are_not_named():
    points, rest = cluster(CHECKIN[:4])
    assert points == [] and rest == 4


def test_the_detectors_jieba_is_left_alone():
    import jieba

    cluster(CHECKIN)
    jieba.dt.check_initialized()
    assert "收到请回复" not in jieba.dt.FREQ  # a campaign word added to the pain points' own tokenizer only
    assert "收到请回复" in __import__("jianfu.analysis.painpoints", fromlist=["_extractor"])._extractor().tokenizer.FREQ
