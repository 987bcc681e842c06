"""Calibrate a region's burden parameters from measured minutes (a burden survey, 调研).

Each answer says how many minutes a week one carrier costs one respondent. For each kind of carrier the
model's minutes for the same carriers and the same respondents are compared with the measured ones, and the
parameters that set the time of that kind are scaled by the ratio of the sums (measured ÷ model): a
ratio-of-sums estimator, so a carrier that costs much weighs much and one wild answer cannot dominate. Apps
first get their active share from the survey (the share of answers about apps of unknown monthly active users
that report any time at all): the model's largest assumption, that a third of the region uses every app.

A kind is calibrated only from at least ``min_answers`` answers (k-anonymity: the survey never shows, and so
never fits, a figure from fewer people); otherwise its parameters stay. Formulas and an example:
docs/surveys.md. No Django here: the caller passes the answers and the carriers' facts in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from jianfu.analysis import personal
from jianfu.analysis.config import BurdenParams

KINDS = ("app", "group", "account", "form")
MIN_ANSWERS = 5
RATIO_LIMITS = (0.05, 20.0)
SHARE_LIMITS = (0.01, 1.0)


@dataclass(frozen=True)
class Answer:
    """One respondent's minutes a week for one carrier, with the carrier's facts the model reads."""

    kind: str
    minutes_per_week: float
    carrier: str = ""
    monthly_active_users: int | None = None  # apps
    scope_people: int = 0  # apps: people of the owner's region
    forced_features: tuple = ()  # apps
    messages_30d: float | None = None  # groups
    demands: tuple = ()  # groups
    assessments: tuple = ()  # accounts
    posts_30d: float | None = None  # accounts
    frequency: str | None = None  # forms
    minutes_per_filing: float | None = None  # forms
    fields: int = 0  # forms
    sharing_people: int = 1  # forms: people of the respondent unit


def model_minutes(params: BurdenParams, a: Answer) -> float:
    """The model's minutes a month for this respondent and carrier."""
    if a.kind == "app":
        return personal.app_minutes(params, a.monthly_active_users, a.scope_people, a.forced_features)
    if a.kind == "group":
        return personal.group_minutes(params, a.messages_30d, a.demands)
    if a.kind == "account":
        return personal.account_minutes(params, a.assessments, a.posts_30d)
    if a.kind == "form":
        return personal.form_minutes(params, a.frequency, a.minutes_per_filing, a.fields, a.sharing_people)
    raise ValueError(f"unknown carrier kind {a.kind!r}")


@dataclass
class KindReport:
    kind: str
    answers: int = 0
    measured_min: float = 0.0  # Σ measured minutes a month
    model_min: float = 0.0  # Σ model minutes a month with the base parameters
    calibrated_min: float = 0.0  # Σ with the calibrated parameters
    ratio: float | None = None
    share: float | None = None  # apps: the measured active share (None: not measured)
    calibrated: bool = False
    reason: str = ""


@dataclass
class Calibration:
    overrides: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, KindReport] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"overrides": self.overrides, "kinds": {k: dataclasses.asdict(v) for k, v in self.kinds.items()}}


def _clamp(value: float, limits: tuple[float, float]) -> float:
    return min(limits[1], max(limits[0], value))


def _scaled_cadences(cadences: dict, ratio: float) -> dict[str, dict[str, float]]:
    return {term: {"minutes": round(cad.minutes * ratio, 4)} for term, cad in cadences.items() if cad.minutes}


def _scale_overrides(kind: str, params: BurdenParams, ratio: float) -> dict[str, Any]:
    """The parameters that set the time of one kind of carrier, multiplied by ``ratio``."""
    if kind == "app":
        return {
            "app_minutes_per_session": round(params.app_minutes_per_session * ratio, 4),
            "app_features": _scaled_cadences(params.app_features, ratio),
        }
    if kind == "group":
        return {
            "group_attention_minutes": round(params.group_attention_minutes * ratio, 4),
            "group_read_seconds_per_message": round(params.group_read_seconds_per_message * ratio, 4),
            "group_minutes_per_reply": round(params.group_minutes_per_reply * ratio, 4),
            "group_demands": _scaled_cadences(params.group_demands, ratio),
        }
    if kind == "account":
        return {"account_assessments": _scaled_cadences(params.account_assessments, ratio)}
    return {
        "form_minutes_base": round(params.form_minutes_base * ratio, 4),
        "form_minutes_per_field": round(params.form_minutes_per_field * ratio, 4),
    }


def calibrate(params: BurdenParams, answers: list[Answer], *, min_answers: int = MIN_ANSWERS) -> Calibration:
    """Parameter overrides (BurdenParams.with_overrides form) that make the model meet the measured minutes."""
    result = Calibration()
    weeks = params.weeks_per_month
    for kind in KINDS:
        rows = [a for a in answers if a.kind == kind]
        report = KindReport(kind=kind, answers=len(rows))
        result.kinds[kind] = report
        report.measured_min = sum(a.minutes_per_week for a in rows) * weeks
        report.model_min = sum(model_minutes(params, a) for a in rows)
        report.calibrated_min = report.model_min
        if len(rows) < min_answers:
            report.reason = "too_few_answers"
            continue
        base, overrides = params, {}
        if kind == "app":
            unknown = [a for a in rows if a.monthly_active_users is None]
            if len(unknown) >= min_answers:
                report.share = _clamp(sum(1 for a in unknown if a.minutes_per_week > 0) / len(unknown), SHARE_LIMITS)
                overrides["app_active_share_default"] = round(report.share, 4)
                base = params.with_overrides(overrides)
        if kind == "form":
            # Only forms whose minutes per filing the registry does not state are timed by the parameters.
            rows = [a for a in rows if a.minutes_per_filing is None]
            if len(rows) < min_answers:
                report.reason = "forms_timed_by_registry"
                continue
        measured = sum(a.minutes_per_week for a in rows) * weeks
        modelled = sum(model_minutes(base, a) for a in rows)
        if modelled <= 0:
            report.reason = "model_counts_nothing"
            continue
        report.ratio = round(_clamp(measured / modelled, RATIO_LIMITS), 4)
        overrides.update(_scale_overrides(kind, params, report.ratio))
        result.overrides.update(overrides)
        report.calibrated = True
    calibrated = params.with_overrides(result.overrides)
    for kind, report in result.kinds.items():
        report.calibrated_min = sum(model_minutes(calibrated, a) for a in answers if a.kind == kind)
        for name in ("measured_min", "model_min", "calibrated_min"):
            setattr(report, name, round(getattr(report, name), 2))
    return result


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def with_region_overrides(config: Any, calibrated: dict[str, dict[str, Any]]) -> Any:
    """A copy of an AnalysisConfig whose region overrides also hold the calibrated ones (region code →
    overrides); where both set a parameter of the same region, the calibrated (measured) value wins."""
    if not calibrated:
        return config
    overrides = {code: dict(values) for code, values in config.region_overrides.items()}
    for code, values in calibrated.items():
        overrides[code] = _merge(overrides.get(code, {}), values)
    return dataclasses.replace(config, region_overrides=overrides)
