"""The registry (台账): units, people and the carriers of burden — apps, accounts, groups, forms."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jianfu.jsonfield import FastJSONField
from jianfu.textnorm import to_traditional


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县")
    TOWNSHIP = "township", _("乡")
    VILLAGE = "village", _("村")


class ImportBatch(models.Model):
    """One file offered to the importer: kept whether accepted or rejected, so every row can name its source."""

    class Status(models.TextChoices):
        RUNNING = "running", _("导入中")
        ACCEPTED = "accepted", _("已导入")
        REJECTED = "rejected", _("已拒绝")
        DRY_RUN = "dry_run", _("试导入")
        FAILED = "failed", _("失败")  # the importing process died; whatever it wrote was undone

    actor = models.CharField(_("操作人"), max_length=150)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=500)
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(_("类型"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    unit_scope = models.ForeignKey("Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The importing process, so a batch left "running" by a killed import can be told apart and reaped.
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class Tracked(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        abstract = True


class CarrierStatus(models.TextChoices):
    ACTIVE = "active", _("在用")
    CANCELLED = "cancelled", _("已注销")
    MERGED = "merged", _("已整合")


class Carrier(Tracked):
    """A carrier of burden (app, platform, account, group, form) with its status over time.

    A carrier counts as active on a day before its ``status_date`` (or always, while its status is active):
    detection, burden and the outcome report ask "active on which day", never "is it active".
    """

    status = models.CharField(
        _("状态"), max_length=20, choices=CarrierStatus.choices, default=CarrierStatus.ACTIVE, db_index=True
    )
    status_date = models.DateField(_("注销日期"), null=True, blank=True)
    # The carrier a merged one was merged into (a code of the same kind).
    merged_into = models.CharField(_("并入"), max_length=40, blank=True, default="")
    # What caused the change: the finding marked done (its id) and, once cases exist, the case number.
    status_finding = models.CharField(max_length=64, blank=True, default="")
    status_case = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        abstract = True


class Unit(Tracked):
    """A region (12-digit division code) or an organisation hung under a level."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    # The level word the source used (镇, 街道, 社区 …), shown instead of the normalised level's name.
    level_word = models.CharField(_("层级（原表写法）"), max_length=20, blank=True, default="")
    unit_type = models.CharField(_("类型"), max_length=50, blank=True)
    is_region = models.BooleanField(_("行政区划"), default=False)
    # Materialised ancestor path ('/code/code/…/'): region scope is one indexed prefix match.
    path = models.CharField(max_length=1000, db_index=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        """The level as the source wrote it (镇, not 乡) in Chinese pages; the translated level elsewhere."""
        language = (get_language() or "").lower()
        if not self.level_word or not language.startswith("zh"):
            return str(self.get_level_display())
        if language in ("zh-hant", "zh-tw", "zh-hk"):
            return to_traditional(self.level_word)
        return self.level_word

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")


class Person(Tracked):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("姓名"), max_length=100, db_index=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("所属单位"))
    post = models.CharField(_("职务"), max_length=100, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class App(Carrier):
    """An app, mini-program, H5 page, PC system — or, with category 'platform', an information platform."""

    class Category(models.TextChoices):
        APP = "app", "APP"
        MINI_PROGRAM = "mini_program", _("小程序")
        H5 = "h5", "H5"
        PC = "pc", _("PC系统")
        PLATFORM = "platform", _("平台")

    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="apps", verbose_name=_("主管单位"))
    launch_date = models.DateField(_("上线日期"), null=True, blank=True)
    last_update = models.DateField(_("最近更新"), null=True, blank=True)
    registered_users = models.PositiveIntegerField(_("注册用户数"), null=True, blank=True)
    monthly_active_users = models.PositiveIntegerField(_("月活跃用户数"), null=True, blank=True)
    functions = FastJSONField(_("功能"), default=list, blank=True)
    forced_features = FastJSONField(_("强制功能"), default=list, blank=True)
    description = models.TextField(_("描述"), blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PublicAccount(Carrier):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    platform = models.CharField(_("平台"), max_length=50)
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("主办单位"))
    opened_date = models.DateField(_("开设日期"), null=True, blank=True)
    last_post = models.DateField(_("最近发布"), null=True, blank=True)
    followers = models.PositiveIntegerField(_("粉丝数"), null=True, blank=True)
    posts_30d = models.PositiveIntegerField(_("近30天发布数"), null=True, blank=True)
    assessments = FastJSONField(_("考核要求"), default=list, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class WorkGroup(Carrier):
    class Nature(models.TextChoices):
        STANDING = "standing", _("常设")
        TEMPORARY = "temporary", _("临时")

    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("群名称"), max_length=200, db_index=True)
    platform = models.CharField(_("平台"), max_length=50)
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_groups", verbose_name=_("群主")
    )
    owner = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="groups", verbose_name=_("主管单位"))
    created_date = models.DateField(_("建群日期"), null=True, blank=True)
    nature = models.CharField(_("性质"), max_length=20, choices=Nature.choices, default=Nature.STANDING)
    task_end_date = models.DateField(_("任务结束日期"), null=True, blank=True)
    last_active = models.DateField(_("最近活跃"), null=True, blank=True)
    messages_30d = models.PositiveIntegerField(_("近30天消息数"), null=True, blank=True)
    purpose = models.TextField(_("用途"), blank=True)
    demands = FastJSONField(_("要求"), default=list, blank=True)
    # Kept by the importer so lists can sort by size without counting millions of membership rows.
    member_count = models.PositiveIntegerField(_("成员数"), default=0)

    class Meta:
        ordering = ["code"]
        # The list's "largest first" keyset order (member_count, id): a province's million groups unsorted.
        indexes = [models.Index(fields=["member_count", "id"], name="workgroup_member_count_id")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    # The unique (group, person) index serves group look-ups, so group needs no index of its own.
    group = models.ForeignKey(WorkGroup, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="membership_group_person_unique")]


class Form(Carrier):
    class Frequency(models.TextChoices):
        DAY = "day", _("日")
        WEEK = "week", _("周")
        DEKAD = "dekad", _("旬")
        MONTH = "month", _("月")
        QUARTER = "quarter", _("季")
        HALFYEAR = "halfyear", _("半年")
        YEAR = "year", _("年")
        ADHOC = "adhoc", _("临时")

    code = models.CharField(_("编号"), max_length=40, unique=True)
    title = models.CharField(_("表名"), max_length=300, db_index=True)
    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="forms", verbose_name=_("发文单位"))
    respondent_level = models.CharField(_("填报对象"), max_length=20, choices=Level.choices, blank=True)
    frequency = models.CharField(_("频次"), max_length=20, choices=Frequency.choices)
    channel = models.CharField(_("填报渠道"), max_length=20, blank=True)
    minutes_per_filing = models.FloatField(_("每次用时（分钟）"), null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class FormField(Tracked):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="fields", db_index=False)
    position = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("字段名称"), max_length=300)
    note = models.TextField(_("说明"), blank=True)
    data_type = models.CharField(_("数据类型"), max_length=20, blank=True)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)

    class Meta:
        ordering = ["form", "position"]
        constraints = [models.UniqueConstraint(fields=["form", "position"], name="formfield_form_position_unique")]

    def __str__(self) -> str:
        return self.name


class SearchGram(models.Model):
    """One character bigram of a registry object's title or code: the `?q=` search index (registry/search.py).

    `first` is the bigram's first character and `second` its second (an end mark after the last character), so
    a one-character query is an equality look-up on (kind, first) and a longer one on (kind, first, second).
    """

    pk = models.CompositePrimaryKey("kind", "first", "second", "obj_id")
    kind = models.PositiveSmallIntegerField()
    first = models.CharField(max_length=1)
    second = models.CharField(max_length=1)
    obj_id = models.BigIntegerField()

    class Meta:
        # Re-indexing an object drops its rows first.
        indexes = [models.Index(fields=["kind", "obj_id"], name="registry_searchgram_obj")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.first}{self.second}:{self.obj_id}"
