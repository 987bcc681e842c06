"""Proposals of each kind, ready to create through the filing actions (the filings tests' material)."""

from __future__ import annotations

from jianfu.filings import actions
from jianfu.filings.models import Proposal
from jianfu.registry.models import Unit

DISTINCT_APP = {
    "name": "上城区养老服务补贴申领系统",
    "details": {
        "category": "app",
        "functions": ["补贴申领", "资格审核", "资金发放"],
        "forced_features": [],
        "description": "老年人在线申领养老服务补贴，街道初审，民政局复核并发放资金",
    },
    "justification": "养老服务补贴申领目前靠纸质材料逐级报送，群众跑腿多",
    "expected_users": "全区街道民政干部约 60 人，申领老人约 3000 人",
    "why_not_existing": "现有民政统计平台只做统计报表，没有申领和审核流程",
    "shared_data": "补贴发放名单共享给区财政局和大数据中心",
    "plan_ref": "",
    "related_systems": [],
}
DUPLICATE_GROUP = {
    "name": "防汛工作群（新）",
    "details": {
        "platform": "微信",
        "nature": "temporary",
        "task_end_date": "2099-09-30",
        "purpose": "防汛",
        "demands": [],
        "members": ["P1", "P2"],
    },
    "justification": "汛期信息传达",
    "expected_users": "清波社区网格员",
}
ACCOUNT = {
    "name": "上城民政",
    "details": {"platform": "微信公众号", "assessments": [], "description": "民政政策发布"},
    "justification": "政策发布",
    "expected_users": "辖区群众",
    "shared_data": "无",
}
FORM = {
    "name": "低保对象季度报表",
    "details": {
        "frequency": "quarter",
        "respondent_level": "township",
        "channel": "系统",
        "minutes_per_filing": 20,
        "fields": [{"name": "低保户数", "unit": "户"}, {"name": "低保人数", "unit": "人"}],
    },
    "justification": "季度核查",
    "expected_users": "街道民政干部",
    "shared_data": "共享给区大数据中心",
}
DEFAULTS = {
    "apps": DISTINCT_APP,
    "platforms": {
        **DISTINCT_APP,
        "name": "上城区养老服务数据平台",
        "details": {**DISTINCT_APP["details"], "category": "platform"},
    },
    "groups": DUPLICATE_GROUP,
    "accounts": ACCOUNT,
    "forms": FORM,
}


def make_proposal(user, kind: str = "apps", owner: Unit | None = None, **changes) -> Proposal:
    values = {**DEFAULTS[kind], **changes}
    if "details" in changes:
        values["details"] = {**DEFAULTS[kind]["details"], **changes["details"]}
    return actions.do_create_proposal(kind=kind, owner=owner or user.unit, values=values, acting_user=user)
