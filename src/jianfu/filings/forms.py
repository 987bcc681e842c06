"""The proposal form: the registry's fields of the kind, plus what the rules ask of every proposal."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from jianfu.accounts import scope
from jianfu.analysis.schema import ACCOUNT_ASSESSMENTS
from jianfu.filings import files
from jianfu.filings import policy as policies
from jianfu.registry.kinds import CHANNELS, FORCED_FEATURES, GROUP_DEMANDS
from jianfu.registry.models import App, Form, Level, Person, Unit, WorkGroup
from jianfu.registry.vocabulary import value_choices
from jianfu.textnorm import normalize_text, split_multi

APP_CATEGORIES = [c for c in App.Category.choices if c[0] != "platform"]
#: the kind-specific keys kept in Proposal.details
DETAIL_FIELDS = {
    "apps": ("category", "functions", "forced_features", "description"),
    "platforms": ("functions", "forced_features", "description"),
    "accounts": ("platform", "assessments", "description"),
    "groups": ("platform", "nature", "task_end_date", "purpose", "demands", "members"),
    "forms": ("frequency", "respondent_level", "channel", "minutes_per_filing", "fields"),
}
NAME_LABELS = {
    "apps": _("应用名称"),
    "platforms": _("平台名称"),
    "accounts": _("账号名称"),
    "groups": _("群名称"),
    "forms": _("表名"),
}
MAX_UPLOAD = 5 * 1024 * 1024


def _multi(value: str) -> list[str]:
    return list(dict.fromkeys(split_multi(value)))


def _save_upload(upload) -> Path:
    suffix = Path(upload.name).suffix.lower()
    handle = tempfile.NamedTemporaryFile(delete=False, suffix=suffix)
    with handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return Path(handle.name)


def _checkboxes(label, vocabulary) -> forms.MultipleChoiceField:
    """An optional multiple choice among the values of a registry vocabulary."""
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.CheckboxSelectMultiple, choices=value_choices(vocabulary)
    )


def _fields_of_kind(kind: str) -> dict[str, forms.Field]:
    """The fields a proposal of this kind asks for beyond the common ones, in the order the form shows them."""
    if kind in ("apps", "platforms"):
        return _app_fields(kind)
    if kind == "accounts":
        return _account_fields()
    if kind == "groups":
        return _group_fields()
    return _form_fields()


def _app_fields(kind: str) -> dict[str, forms.Field]:
    """What a proposal for an app or a platform adds: its functions, features and plan."""
    f: dict[str, forms.Field] = {}
    if kind == "apps":
        f["category"] = forms.ChoiceField(label=_("类别"), choices=APP_CATEGORIES)
    f["functions"] = forms.CharField(
        label=_("功能"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("多个功能用顿号、分号或换行分隔")
    )
    f["forced_features"] = _checkboxes(_("强制功能"), FORCED_FEATURES)
    f["description"] = forms.CharField(
        label=_("描述"), widget=forms.Textarea(attrs={"rows": 3}), help_text=_("建设内容和主要用途")
    )
    f["plan_ref"] = forms.CharField(
        label=_("规划依据"), max_length=300, required=False, help_text=_("所依据的数字化建设规划项目名称")
    )
    f["related_systems"] = forms.CharField(
        label=_("对接系统"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("需互联互通的现有系统编号或名称，多个用顿号或换行分隔"),
    )
    return f


def _account_fields() -> dict[str, forms.Field]:
    """What a proposal for a public account adds: its platform and assessments."""
    f: dict[str, forms.Field] = {}
    f["platform"] = forms.CharField(
        label=_("平台"), max_length=50, widget=forms.TextInput(attrs={"list": "account-platforms"})
    )
    f["assessments"] = _checkboxes(_("考核要求"), ACCOUNT_ASSESSMENTS)
    f["description"] = forms.CharField(label=_("账号定位"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    return f


def _group_fields() -> dict[str, forms.Field]:
    """What a proposal for a work group adds: its nature, demands and members."""
    f: dict[str, forms.Field] = {}
    f["platform"] = forms.CharField(
        label=_("平台"), max_length=50, widget=forms.TextInput(attrs={"list": "group-platforms"})
    )
    f["nature"] = forms.ChoiceField(label=_("性质"), choices=WorkGroup.Nature.choices)
    f["task_end_date"] = forms.DateField(
        label=_("任务结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    f["purpose"] = forms.CharField(label=_("用途"), widget=forms.Textarea(attrs={"rows": 2}))
    f["demands"] = _checkboxes(_("对成员要求"), GROUP_DEMANDS)
    f["members"], f["members_file"] = _typed_or_uploaded(
        (_("拟入群成员"), _("人员编号，每行一个或用顿号分隔；可用下方搜索添加"), 4),
        (_("上传成员名单"), _("群成员或人员名单文件（.xlsx/.xls/.csv），按人员编号或姓名+手机号匹配")),
    )
    return f


def _form_fields() -> dict[str, forms.Field]:
    """What a proposal for a form adds: frequency, respondents, channel and fields."""
    f: dict[str, forms.Field] = {}
    f["frequency"] = forms.ChoiceField(label=_("频次"), choices=Form.Frequency.choices)
    f["respondent_level"] = forms.ChoiceField(label=_("填报对象"), choices=[("", "—"), *Level.choices], required=False)
    f["channel"] = forms.ChoiceField(label=_("填报渠道"), choices=value_choices(CHANNELS))
    f["minutes_per_filing"] = forms.FloatField(label=_("每次用时（分钟）"), required=False, min_value=0)
    f["fields_text"], f["fields_file"] = _typed_or_uploaded(
        (_("报表字段"), _("每行一个指标，可写「指标名称，计量单位」"), 5),
        (_("上传报表字段"), _("报表字段文件（含「字段名称」列）")),
    )
    return f


def _typed_or_uploaded(typed: tuple, uploaded: tuple) -> tuple[forms.CharField, forms.FileField]:
    """A list typed one entry a line, or a file holding it: (label, help, rows) and (label, help); both optional."""
    label, help_text, rows = typed
    text = forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )
    upload_label, upload_help = uploaded
    return text, forms.FileField(label=upload_label, required=False, help_text=upload_help)


class ProposalForm(forms.Form):
    name = forms.CharField(max_length=300)
    owner = forms.CharField(label=_("申报单位编码"), max_length=40, required=False, help_text=_("留空为本人所在单位"))
    item_code = forms.CharField(
        label=_("拟用编号"), max_length=40, required=False, help_text=_("留空则以备案号作为台账编号")
    )
    justification = forms.CharField(label=_("建设必要性"), widget=forms.Textarea(attrs={"rows": 3}))
    expected_users = forms.CharField(
        label=_("预期用户"), max_length=300, help_text=_("使用对象和预计人数，如：全县村（社区）网格员约 900 人")
    )
    why_not_existing = forms.CharField(
        label=_("现有系统无法满足的原因"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared_data = forms.CharField(
        label=_("拟共享的数据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("向哪些系统或部门共享哪些数据"),
    )
    emergency = forms.BooleanField(
        label=_("安全或应急用途"), required=False, help_text=_("确因安全生产、应急处置需要使用强制性功能时勾选并说明")
    )
    emergency_reason = forms.CharField(
        label=_("安全或应急用途说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, kind: str, user, owner: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.user, self.fixed_owner = kind, user, owner
        self.fields["name"].label = NAME_LABELS[kind]
        from jianfu.filings.access import owner_choices

        if owner is not None or owner_choices(user).count() <= 1:
            del self.fields["owner"]
        self.fields.update(_fields_of_kind(kind))
        f = self.fields
        order = ["name", "owner", "item_code", *[k for k in f if k not in self.COMMON], *self.COMMON_TAIL]
        self.order_fields([k for k in order if k in f])
        self.member_problems: list[str] = []

    COMMON = (
        "name",
        "owner",
        "item_code",
        "justification",
        "expected_users",
        "why_not_existing",
        "shared_data",
        "emergency",
        "emergency_reason",
    )
    COMMON_TAIL = (
        "justification",
        "expected_users",
        "why_not_existing",
        "shared_data",
        "emergency",
        "emergency_reason",
    )

    def set_initial_from(self, proposal) -> None:
        """Fill the form from a saved proposal (for editing)."""
        d = proposal.details
        initial = {
            k: getattr(proposal, k)
            for k in (
                "name",
                "item_code",
                "justification",
                "expected_users",
                "why_not_existing",
                "shared_data",
                "plan_ref",
                "emergency",
                "emergency_reason",
            )
        }
        initial["related_systems"] = "\n".join(proposal.related_systems)
        for key in DETAIL_FIELDS[self.kind]:
            value = d.get(key)
            if key in ("functions",):
                value = "、".join(value or [])
            elif key == "members":
                value = "\n".join(value or [])
            elif key == "fields":
                key, value = (
                    "fields_text",
                    "\n".join(f["name"] + (f"，{f['unit']}" if f.get("unit") else "") for f in value or []),
                )
            initial[key] = value
        self.initial.update(initial)

    def owner_unit(self) -> Unit | None:
        if self.fixed_owner is not None:
            return self.fixed_owner
        from jianfu.filings.access import owner_choices

        choices = owner_choices(self.user)
        code = (self.cleaned_data.get("owner") or "").strip() if "owner" in self.fields else ""
        if not code:
            return self.user.unit if self.user.unit_id else None
        return choices.filter(code=code).first()

    def clean(self):
        data = super().clean()
        owner = self.owner_unit()
        if owner is None:
            self.add_error("owner" if "owner" in self.fields else None, _("找不到该申报单位，或您无权为其申报"))
            return data
        self.cleaned_owner = owner
        if data.get("emergency") and not (data.get("emergency_reason") or "").strip():
            self.add_error("emergency_reason", _("勾选安全或应急用途时须说明理由"))
        if self.kind == "groups":
            if data.get("nature") == "temporary" and not data.get("task_end_date"):
                self.add_error("task_end_date", _("临时工作群须填写任务结束日期"))
            self._clean_members(data, owner)
        if self.kind == "forms":
            self._clean_form_fields(data)
        if self.kind in ("apps", "platforms") and not _multi(data.get("functions") or ""):
            self.add_error("functions", _("请至少填写一项功能"))
        return data

    def _clean_members(self, data, owner: Unit) -> None:
        # Members are matched among the people of the owner's home region: a county department's group
        # gathers cadres from the whole county.
        people = scope.within_unit(Person, policies.home_region(owner))
        codes = _multi(data.get("members") or "")
        upload = data.get("members_file")
        if upload:
            if upload.size > MAX_UPLOAD:
                self.add_error("members_file", _("文件过大"))
                return
            path = _save_upload(upload)
            try:
                extra, problems = files.read_member_upload(path, people, user=self.user)
            finally:
                path.unlink(missing_ok=True)
            self.member_problems.extend(problems)
            codes = list(dict.fromkeys([*codes, *extra]))
        known = set(people.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            self.add_error(
                "members", _("以下人员编号在本地区人员台账中找不到：%(codes)s") % {"codes": "、".join(unknown[:20])}
            )
        data["members_list"] = [c for c in codes if c in known]

    def _clean_form_fields(self, data) -> None:
        rows = []
        for line in (data.get("fields_text") or "").splitlines():
            parts = [p.strip() for p in normalize_text(line).replace("，", ",").split(",")]
            if parts and parts[0]:
                rows.append({"name": parts[0], "unit": parts[1] if len(parts) > 1 else "", "data_type": ""})
        upload = data.get("fields_file")
        if upload:
            if upload.size > MAX_UPLOAD:
                self.add_error("fields_file", _("文件过大"))
                return
            path = _save_upload(upload)
            try:
                extra, problems = files.read_field_upload(path)
            finally:
                path.unlink(missing_ok=True)
            for problem in problems:
                self.add_error("fields_file", problem)
            rows.extend(extra)
        if not rows:
            self.add_error("fields_text", _("请填写或上传报表字段"))
        data["fields_list"] = rows

    def values(self) -> dict[str, Any]:
        """The cleaned form as Proposal fields (kind-specific ones in `details`)."""
        d = self.cleaned_data
        details: dict[str, Any] = {}
        for key in DETAIL_FIELDS[self.kind]:
            if key == "category":
                details[key] = d["category"]
            elif key == "functions":
                details[key] = _multi(d.get("functions") or "")
            elif key in ("forced_features", "assessments", "demands"):
                details[key] = list(d.get(key) or [])
            elif key == "task_end_date":
                details[key] = d["task_end_date"].isoformat() if d.get("task_end_date") else None
            elif key == "members":
                details[key] = d.get("members_list", [])
            elif key == "fields":
                details[key] = d.get("fields_list", [])
            elif key == "platform":
                details[key] = normalize_text(d.get("platform"))
            else:
                details[key] = d.get(key) if d.get(key) is not None else ""
        if self.kind == "platforms":
            details["category"] = "platform"
        return {
            "name": d["name"].strip(),
            "item_code": (d.get("item_code") or "").strip(),
            "details": details,
            "justification": d["justification"].strip(),
            "expected_users": d["expected_users"].strip(),
            "why_not_existing": (d.get("why_not_existing") or "").strip(),
            "shared_data": (d.get("shared_data") or "").strip(),
            "plan_ref": (d.get("plan_ref") or "").strip(),
            "related_systems": _multi(d.get("related_systems") or ""),
            "emergency": bool(d.get("emergency")),
            "emergency_reason": (d.get("emergency_reason") or "").strip(),
        }


class PolicyForm(forms.Form):
    """One region's filing rules; an empty field keeps what the region above decides."""

    remind_days = forms.IntegerField(
        label=_("提前提醒天数"), required=False, min_value=1, max_value=policies.MAX_REMIND_DAYS
    )
    filing_since = forms.DateField(
        label=_("备案制度实施日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("此后进入台账而未备案的对象列为目录外"),
    )
    plan_items = forms.CharField(
        label=_("数字化建设规划项目"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个项目名称，用于核对申报的规划依据"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        levels = [(lv, policies.LEVEL_LABELS[lv]) for lv in policies.LEVEL_ORDER[:4]]
        from jianfu.filings.models import Kind

        for kind, label in Kind.choices:
            self.fields[f"route_{kind}"] = forms.MultipleChoiceField(
                label=_("%(kind)s审批层级") % {"kind": label},
                required=False,
                choices=levels,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"days_{kind}"] = forms.IntegerField(
                label=_("%(kind)s备案有效天数") % {"kind": label},
                required=False,
                min_value=policies.MIN_VALID_DAYS,
                max_value=policies.MAX_VALID_DAYS,
            )

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        routes, days = {}, {}
        for kind in policies.KINDS:
            chosen = d.get(f"route_{kind}") or []
            if chosen:
                # Lowest level first: the county office reads it before the city's.
                routes[kind] = sorted(chosen, key=policies.LEVEL_ORDER.index, reverse=True)
            if d.get(f"days_{kind}"):
                days[kind] = d[f"days_{kind}"]
        return {
            "routes": routes,
            "valid_days": days,
            "remind_days": d.get("remind_days"),
            "filing_since": d.get("filing_since"),
            "plan_items": [line.strip() for line in (d.get("plan_items") or "").splitlines() if line.strip()],
        }


class RenewalForm(forms.Form):
    until = forms.DateField(label=_("续期至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("续期理由"), widget=forms.Textarea(attrs={"rows": 2}))
