"""Labels a person reads for the findings' codes: types, rules, evidence keys (page, export and history)."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from jianfu.analysis.schema import RULE_NAMES

TYPE_LABELS = {
    "duplicate_groups": _("重复工作群"),
    "expired_group": _("到期未解散的临时群"),
    "idle_group": _("长期不活跃的群"),
    "group_demand": _("群内强制要求"),
    "duplicate_apps": _("功能重复的应用"),
    "zombie_app": _("僵尸应用"),
    "forced_feature": _("强制使用功能"),
    "stale_account": _("长期不更新的公众号"),
    "account_assessment": _("公众号考核"),
    "duplicate_accounts": _("重复的公众号"),
    "duplicate_forms": _("重复报表"),
}
# The rule names are written once, in analysis.schema (the CLI and the JSON outputs print them in Chinese);
# each name is a msgid of the findings catalog, so every page, export and the dashboard show "F1 <name>" translated.
RULE_LABELS = {code: format_lazy("{} {}", code, _(name)) for code, name in RULE_NAMES.items()}
EVIDENCE_LABELS = {
    "jaccard": _("成员重合度（Jaccard）"),
    "containment": _("较小群成员被包含比例"),
    "shared_members": _("共同成员数"),
    "members": _("成员总数"),
    "groups": _("涉及群数"),
    "pairs": _("重复对数"),
    "apps": _("涉及应用数"),
    "accounts": _("涉及账号数"),
    "similarity": _("综合相似度"),
    "purpose_similarity": _("名称和描述相似度"),
    "function_similarity": _("功能相似度"),
    "shared_functions": _("共有功能数"),
    "days_past_end": _("任务结束后天数"),
    "idle_days": _("未活跃天数"),
    "messages_30d": _("近30天消息数"),
    "demands": _("强制要求数"),
    "features": _("强制功能数"),
    "people_in_scope": _("涉及人数"),
    "mau_percent": _("月活跃用户占比（%）"),
    "monthly_active_users": _("月活跃用户数"),
    "registered_users": _("注册用户数"),
    "days_since_update": _("未更新天数"),
    "days_since_post": _("未发布天数"),
    "followers": _("粉丝数"),
    "assessments": _("考核要求数"),
    # duplicate_forms (their msgids are in the elements app's catalog)
    "shared_elements": _("共同数据元"),
    "shared": _("共同数据元数"),
    "fields": _("字段数"),
    "covered_by": _("已由哪张报表采集"),
    "respondents": _("填报单位数"),
    "elements_after": _("合并后的数据元数"),
}
# Where each finding type's items live in the web app.
ITEM_KIND = {
    "duplicate_groups": "groups",
    "expired_group": "groups",
    "idle_group": "groups",
    "group_demand": "groups",
    "duplicate_apps": "apps",
    "zombie_app": "apps",
    "forced_feature": "apps",
    "stale_account": "accounts",
    "account_assessment": "accounts",
    "duplicate_accounts": "accounts",
    "duplicate_forms": "forms",
}


def evidence_text(evidence: dict) -> str:
    """Evidence as 「label：value」 lines, fractions shown as they are on the page."""
    lines = []
    for key, value in (evidence or {}).items():
        if isinstance(value, float):
            value = f"{value:.2f}".rstrip("0").rstrip(".")
        lines.append(f"{EVIDENCE_LABELS.get(key, key)}：{value}")
    return "\n".join(lines)
