"""The six browsable kinds (URL segment → model, search, filters, sorts) in one table the views share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.registry.models import App, CarrierStatus, Form, Level, Person, PublicAccount, Unit, WorkGroup
from jianfu.registry.vocabulary import value_choices

GROUP_PLATFORMS = ["微信", "企业微信", "钉钉", "QQ", "政务微信", "浙政钉", "渝快政", "赣政通"]
ACCOUNT_PLATFORMS = ["微信公众号", "微博", "抖音", "今日头条", "快手", "视频号"]
FORCED_FEATURES = [
    "打卡签到",
    "积分排名",
    "在线时长",
    "点赞转发考核",
    "截图留痕",
    "定期登录",
    "强制下载",
    "安装率考核",
    "学习时长考核",
    "轨迹上传",
]
GROUP_DEMANDS = ["打卡接龙", "即时回复", "截图留痕", "上传照片视频", "定位打卡", "收到请回复"]
CHANNELS = ["系统", "微信", "邮件", "纸质", "其他"]


@dataclass(frozen=True)
class Sort:
    label: object
    field: str
    # Keyset pagination needs a total order: nulls are replaced by a sentinel of the field's type.
    null_as: object = None
    desc: bool = False


@dataclass(frozen=True)
class Filter:
    param: str
    label: object
    # "choice": exact match on `field` from `choices`; "unit": subtree of a unit code; "present": a JSON list
    # is non-empty; "contains": a JSON list holds the chosen value; "lifecycle": the carrier's status today
    # (registry.lifecycle.status_q: active, cancelled or merged).
    type: str
    field: str = ""
    choices: tuple = ()


@dataclass(frozen=True)
class KindSpec:
    kind: str
    model: type[Model]
    label: object
    title_field: str
    unit_field: str  # lookup from the model to its Unit, '' for units themselves
    related: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    sorts: dict[str, Sort] = field(default_factory=dict)

    @property
    def search_fields(self) -> tuple[str, str]:
        return (self.title_field, "code")


def _code_sort() -> Sort:
    return Sort(_("编号"), "code")


_DATE0 = dt.date(1900, 1, 1)
# The carriers' lists: active (the default view shows every status, as before), cancelled or merged today.
STATUS_FILTER = Filter("status", _("状态"), "lifecycle", "status", tuple(CarrierStatus.choices))

KINDS: dict[str, KindSpec] = {
    "units": KindSpec(
        "units",
        Unit,
        pgettext_lazy("plural", "单位"),
        "name",
        "",
        related=("parent",),
        filters=(
            Filter("level", _("层级"), "choice", "level", tuple(Level.choices)),
            Filter("unit", _("所属区域"), "unit"),
        ),
        sorts={"code": Sort(_("编码"), "code"), "name": Sort(_("名称"), "name"), "path": Sort(_("层级结构"), "path")},
    ),
    "people": KindSpec(
        "people",
        Person,
        _("人员"),
        "name",
        "unit",
        related=("unit",),
        filters=(Filter("unit", _("所属单位"), "unit"),),
        sorts={"code": _code_sort(), "name": Sort(_("姓名"), "name")},
    ),
    "apps": KindSpec(
        "apps",
        App,
        _("应用"),
        "name",
        "owner",
        related=("owner",),
        filters=(
            Filter("category", _("类别"), "choice", "category", tuple(App.Category.choices)),
            Filter("unit", _("主管单位"), "unit"),
            STATUS_FILTER,
            Filter("forced", _("有强制功能"), "present", "forced_features"),
            Filter("feature", _("强制功能"), "contains", "forced_features", value_choices(FORCED_FEATURES)),
        ),
        sorts={
            "code": _code_sort(),
            "name": Sort(_("名称"), "name"),
            "mau": Sort(_("月活跃用户数"), "monthly_active_users", -1, desc=True),
            "updated": Sort(_("最近更新"), "last_update", _DATE0, desc=True),
        },
    ),
    "accounts": KindSpec(
        "accounts",
        PublicAccount,
        _("公众号"),
        "name",
        "owner",
        related=("owner",),
        filters=(
            Filter("platform", _("平台"), "choice", "platform", value_choices(ACCOUNT_PLATFORMS)),
            Filter("unit", _("主办单位"), "unit"),
            STATUS_FILTER,
            Filter("assessed", _("有考核要求"), "present", "assessments"),
        ),
        sorts={
            "code": _code_sort(),
            "name": Sort(_("名称"), "name"),
            "followers": Sort(_("粉丝数"), "followers", -1, desc=True),
            "last_post": Sort(_("最近发布"), "last_post", _DATE0, desc=True),
        },
    ),
    "groups": KindSpec(
        "groups",
        WorkGroup,
        _("工作群"),
        "name",
        "owner",
        related=("owner",),
        filters=(
            Filter("platform", _("平台"), "choice", "platform", value_choices(GROUP_PLATFORMS)),
            Filter("nature", _("性质"), "choice", "nature", tuple(WorkGroup.Nature.choices)),
            Filter("unit", _("主管单位"), "unit"),
            STATUS_FILTER,
            Filter("demands", _("有对成员的要求"), "present", "demands"),
            Filter("demand", _("要求"), "contains", "demands", value_choices(GROUP_DEMANDS)),
        ),
        sorts={
            "code": _code_sort(),
            "name": Sort(_("群名称"), "name"),
            "members": Sort(_("成员数"), "member_count", desc=True),
            "messages": Sort(_("近30天消息数"), "messages_30d", -1, desc=True),
            "active": Sort(_("最近活跃"), "last_active", _DATE0, desc=True),
        },
    ),
    "forms": KindSpec(
        "forms",
        Form,
        _("报表"),
        "title",
        "issuer",
        related=("issuer",),
        filters=(
            Filter("frequency", _("频次"), "choice", "frequency", tuple(Form.Frequency.choices)),
            Filter("level", _("填报对象"), "choice", "respondent_level", tuple(Level.choices)),
            Filter("channel", _("填报渠道"), "choice", "channel", value_choices(CHANNELS)),
            Filter("unit", _("发文单位"), "unit"),
            STATUS_FILTER,
        ),
        sorts={
            "code": _code_sort(),
            "title": Sort(_("表名"), "title"),
            "minutes": Sort(_("每次用时"), "minutes_per_filing", -1.0, desc=True),
        },
    ),
}

KIND_BY_MODEL = {spec.model: spec for spec in KINDS.values()}


def spec_for(kind: str) -> KindSpec:
    return KINDS[kind]
