"""Detection thresholds and burden-model parameters, each with its default and where the default comes from."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any, NamedTuple


def _note(default: Any, note: str, **kw: Any) -> Any:
    if isinstance(default, (dict, list)):
        return field(default_factory=partial(type(default), default), metadata={"note": note}, **kw)
    return field(default=default, metadata={"note": note}, **kw)


def _fraction(value: Any) -> Fraction:
    # Through str so that 0.8 becomes 4/5, not the binary float's 3602879701896397/4503599627370496.
    return value if isinstance(value, Fraction) else Fraction(str(value))


class Cadence(NamedTuple):
    """How often something is done and how long it takes once: ``times`` per ``per``, ``minutes`` each.

    ``per`` is one of ``workday``, ``week``, ``month``, ``year`` — or ``post`` (once per post of a
    public account, used for account assessments).
    """

    times: float
    per: str
    minutes: float


PERIODS = ("workday", "week", "month", "year", "post")

SURVEY = "assumption — replace with the region's burden survey (减负问卷)"


@dataclass(frozen=True)
class BurdenParams:
    """Parameters of the burden model (see docs/burden-model.md). Minutes unless the name says hours."""

    workdays_per_month: float = _note(20.83, "劳社部发〔2008〕3号: 250 working days a year ÷ 12 months")
    weeks_per_month: float = _note(4.348, "52.18 weeks a year ÷ 12 months")

    # apps and platforms: who uses an app is the people of its owner's region (and every region below it)
    app_active_share_default: float = _note(
        0.3, "share of the people in scope who use an app whose monthly active users are unknown; " + SURVEY
    )
    app_sessions_per_active_user: float = _note(10.0, "sessions a month of an active user; " + SURVEY)
    app_minutes_per_session: float = _note(3.0, "minutes a session takes; " + SURVEY)
    app_features: dict = _note(
        {
            "打卡签到": Cadence(1, "workday", 1.0),
            "强制下载": Cadence(1, "year", 10.0),
            "安装率考核": Cadence(1, "month", 10.0),
            "定期登录": Cadence(1, "workday", 2.0),
            "截图留痕": Cadence(1, "workday", 5.0),
            "轨迹上传": Cadence(1, "workday", 3.0),
            "积分排名": Cadence(1, "workday", 15.0),
            "在线时长": Cadence(1, "workday", 30.0),
            "点赞转发考核": Cadence(1, "workday", 5.0),
            "学习时长考核": Cadence(1, "workday", 20.0),
        },
        "forced-use feature → cadence, borne by every person in the app's scope (forced, so not scaled by "
        "active share); daily check-in, point chasing and online-time quotas are the practices the clue "
        "notices name; " + SURVEY,
    )

    # work groups: borne by every member
    group_attention_minutes: float = _note(
        10.0, "minutes a month that belonging to one group costs (checking, scrolling, staying reachable); " + SURVEY
    )
    group_read_seconds_per_message: float = _note(5.0, "seconds to read one message; " + SURVEY)
    group_reply_share: float = _note(0.05, "share of messages that need a reply from each member; " + SURVEY)
    group_reply_share_demanded: float = _note(
        0.3, "that share in a group that demands instant replies or 收到请回复; " + SURVEY
    )
    group_minutes_per_reply: float = _note(1.0, "minutes per reply; " + SURVEY)
    group_demands: dict = _note(
        {
            "打卡接龙": Cadence(1, "workday", 2.0),
            "即时回复": Cadence(1, "workday", 2.0),
            "收到请回复": Cadence(0, "month", 0.0),
            "截图留痕": Cadence(2, "week", 5.0),
            "上传照片视频": Cadence(2, "week", 10.0),
            "定位打卡": Cadence(1, "workday", 1.0),
        },
        "demand → cadence per member (收到请回复 costs through group_reply_share_demanded); " + SURVEY,
    )

    # public accounts: assessments are borne by every person in the owner's region scope
    account_assessments: dict = _note(
        {
            "关注考核": Cadence(1, "year", 2.0),
            "点赞转发考核": Cadence(1, "post", 1.0),
            "阅读量考核": Cadence(1, "post", 0.5),
        },
        "assessment → cadence per person in scope; " + SURVEY,
    )
    account_posts_default: float = _note(20.0, "posts a month when posts_30d is unknown; " + SURVEY)
    account_upkeep_hours: float = _note(
        4.0, "hours a month the owner spends keeping one account (security, review, posting); " + SURVEY
    )

    # forms: borne by each respondent unit, shared among its people
    form_frequency: dict = _note(
        {
            "day": Cadence(1, "workday", 0),
            "week": Cadence(1, "week", 0),
            "dekad": Cadence(3, "month", 0),
            "month": Cadence(1, "month", 0),
            "quarter": Cadence(4, "year", 0),
            "halfyear": Cadence(2, "year", 0),
            "year": Cadence(1, "year", 0),
            "adhoc": Cadence(6, "year", 0),
        },
        "frequency → filings (minutes unused); adhoc (临时) counted as six a year, an assumption",
    )
    form_minutes_base: float = _note(
        10.0,
        "minutes per filing before its fields, when minutes_per_filing is unknown (reading the "
        "instructions, as the Paperwork Reduction Act counts burden); " + SURVEY,
    )
    form_minutes_per_field: float = _note(1.5, "minutes per field per filing; " + SURVEY)
    form_default_respondent_level: str = _note("village", "respondent level when a form names none")

    # merging duplicates: the share of a duplicate's work that disappears when it is merged into another
    duplicate_work_share: float = _note(
        0.5, "share of a merged duplicate's messages / usage that was duplicated work; " + SURVEY
    )

    def with_overrides(self, overrides: dict | None) -> "BurdenParams":
        """A copy with ``overrides`` applied; cadence dicts merge key by key, a cadence may be a partial dict."""
        if not overrides:
            return self
        changes: dict[str, Any] = {}
        names = {f.name for f in dataclasses.fields(self)}
        for key, value in overrides.items():
            if key not in names:
                raise ValueError(f"unknown burden parameter {key!r}")
            current = getattr(self, key)
            if isinstance(current, dict):
                merged = dict(current)
                for term, cad in value.items():
                    merged[term] = _cadence(cad, merged.get(term))
                changes[key] = merged
            else:
                changes[key] = type(current)(value)
        return dataclasses.replace(self, **changes)

    def per_month(self, cad: Cadence, posts: float | None = None) -> float:
        """Minutes a month of one cadence (``posts`` only for per-post cadences)."""
        times = {
            "workday": self.workdays_per_month,
            "week": self.weeks_per_month,
            "month": 1.0,
            "year": 1 / 12,
            "post": 1.0,
        }[cad.per] * cad.times
        return times * cad.minutes

    def times_per_month(self, cad: Cadence) -> float:
        return {
            "workday": self.workdays_per_month,
            "week": self.weeks_per_month,
            "month": 1.0,
            "year": 1 / 12,
            "post": 1.0,
        }[cad.per] * cad.times


def _cadence(value: Any, base: Cadence | None) -> Cadence:
    if isinstance(value, Cadence):
        return value
    if isinstance(value, (tuple, list)):
        return Cadence(float(value[0]), str(value[1]), float(value[2]))
    if isinstance(value, dict):
        base = base or Cadence(0, "month", 0.0)
        return base._replace(**value)
    raise ValueError(f"a cadence is (times, per, minutes) or a dict of them, not {value!r}")


@dataclass
class AnalysisConfig:
    """Thresholds of the detectors (spec/formats.md values as defaults) and the burden model's parameters."""

    idle_group_days: int = _note(60, "formats.md idle_group: no message for 60 days or more")
    stale_account_days: int = _note(60, "formats.md stale_account: no post for 60 days or more")
    zombie_no_update_days: int = _note(180, "formats.md zombie_app: no update for 180 days")
    zombie_mau_percent: float = _note(5.0, "formats.md zombie_app: monthly active users under 5% of registered")

    dup_group_jaccard: Fraction = _note(Fraction(4, 5), "formats.md duplicate_groups: Jaccard ≥ 0.8")
    dup_group_containment: Fraction = _note(Fraction(9, 10), "formats.md: ≥ 0.9 of the smaller in the larger")
    dup_group_min_members: int = _note(5, "formats.md: the smaller group has at least 5 members")
    dup_group_size_ratio: Fraction = _note(Fraction(1, 2), "formats.md: at least half as many as the larger")
    dup_group_prefix_extra: int = _note(
        3,
        "k of the k-prefix filter: probe k−1 extra tokens and require k shared ones (exact either way; "
        "3 measured fastest at province scale)",
    )

    dup_group_partitions: int = _note(
        0, "split the candidate join into this many steps so each fits in memory (0: one per 40M memberships)"
    )

    dup_group_bucket_rows: int = _note(
        200_000,
        "a person in more group prefixes than this is split into salted buckets of at most this many "
        "rows, so that no task of the candidate join holds a giant bucket (skew)",
    )

    dup_app_similarity: float = _note(
        0.4,
        "similarity (purpose, or its blend with functions if higher) at which two apps are duplicates; "
        "tuned on hand-made catalogues: same-purpose paraphrases score 0.45–0.55, unrelated apps < 0.1",
    )
    dup_app_purpose_similarity: float = _note(
        0.3, "minimum similarity of name + description alone, so generic functions never pair apps"
    )
    dup_app_same_level: bool = _note(False, "also require the owners to be at the same level")
    dup_app_function_weight: float = _note(0.3, "weight of IDF-weighted function overlap in the blend")

    dup_form_merge_share: float = _note(
        0.6,
        "duplicate_forms merge: forms of the same respondents sharing at least this share of the smaller "
        "form's elements ('most of their elements')",
    )
    dup_form_min_shared: int = _note(2, "duplicate_forms: at least this many shared elements for any finding")

    burden: BurdenParams = field(default_factory=BurdenParams)
    #: region code → burden parameter overrides; the most specific ancestor-or-self of a unit wins.
    region_overrides: dict = field(default_factory=dict)
    burden_table_limit: int = _note(200, "rows of the per-unit and per-owner tables put into the JSON output")

    threads: int | None = _note(None, "DuckDB threads (None: DuckDB's default)")
    memory_limit: str | None = _note(None, "DuckDB memory_limit, e.g. '3GB' (None: DuckDB's default)")
    temp_directory: str | None = _note(None, "where DuckDB spills when memory runs short")

    def __post_init__(self) -> None:
        for name in ("dup_group_jaccard", "dup_group_containment", "dup_group_size_ratio"):
            value = _fraction(getattr(self, name))
            if not 0 < value <= 1:
                raise ValueError(f"{name} must be in (0, 1], not {value}")
            setattr(self, name, value)
        if self.dup_group_prefix_extra < 1:
            raise ValueError("dup_group_prefix_extra must be at least 1")
        for overrides in self.region_overrides.values():
            self.burden.with_overrides(overrides)  # fail early on an unknown name

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AnalysisConfig":
        """A configuration from plain JSON: thresholds by field name, ``burden`` and ``region_overrides``
        as for BurdenParams.with_overrides. Unknown names are refused rather than silently ignored."""
        values = dict(data)
        burden = BurdenParams().with_overrides(values.pop("burden", None))
        known = {f.name for f in dataclasses.fields(cls)} - {"burden"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown analysis settings: {', '.join(unknown)}")
        return cls(burden=burden, **values)

    def params_for_path(self, path: str | None) -> BurdenParams:
        """Burden parameters for a unit with this path: overrides apply root first, so for each parameter
        the most specific ancestor-or-self that sets it wins."""
        params = self.burden
        for code in self.overriding_ancestors(path):
            params = params.with_overrides(self.region_overrides[code])
        return params

    def overriding_ancestors(self, path: str | None) -> tuple[str, ...]:
        """The codes on ``path`` (root first) that have overrides."""
        if not self.region_overrides or not path:
            return ()
        return tuple(c for c in path.split("/") if c and c in self.region_overrides)


def parameter_table(params: Any) -> list[tuple[str, Any, str]]:
    """(name, default, note) for every field of a config dataclass — the docs' parameter table."""
    return [(f.name, getattr(params, f.name), f.metadata.get("note", "")) for f in dataclasses.fields(params)]
