"""A survey's answers as the analysis package reads them, its calibration, and its k-anonymous results."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from jianfu.analysis.calibration import MIN_ANSWERS, Answer, Calibration, calibrate, model_minutes
from jianfu.analysis.config import AnalysisConfig, BurdenParams
from jianfu.registry.models import App, Form, PublicAccount, Unit, WorkGroup
from jianfu.surveys.models import CarrierAnswer, RegionCalibration, Survey

K_ANONYMITY = MIN_ANSWERS  # no figure is shown, or fitted, from fewer respondents than this


def stored_calibrations() -> dict[str, dict]:
    """Region code → calibrated burden parameter overrides, for the burden model."""
    return {
        code: overrides
        for code, overrides in RegionCalibration.objects.values_list("region__code", "overrides")
        if overrides
    }


def base_config() -> AnalysisConfig:
    """The parameters before any survey: defaults and JIANFU_HOME/analysis.json."""
    from jianfu.findings.running import load_file_config

    return load_file_config()


def effective_config() -> AnalysisConfig:
    """The parameters the burden model uses: base plus every region's calibration."""
    from jianfu.findings.running import load_config

    return load_config()


def _nearest_regions(units: list[Unit]) -> dict[int, Unit]:
    codes = {c for u in units for c in u.path.strip("/").split("/") if c}
    regions = {u.code: u for u in Unit.objects.filter(code__in=codes, is_region=True)}
    out = {}
    for u in units:
        for code in reversed([c for c in u.path.strip("/").split("/") if c]):
            if code in regions:
                out[u.id] = regions[code]
                break
    return out


def carrier_facts(kind_codes: dict[str, set[str]]) -> dict[tuple[str, str], dict]:
    """(kind, code) → name and the facts the model reads, for the carriers a survey was answered about."""
    from django.db.models import Count

    from jianfu.registry.models import Person

    facts: dict[tuple[str, str], dict] = {}
    for g in WorkGroup.objects.filter(code__in=kind_codes.get("group", ())):
        facts[("group", g.code)] = {"name": g.name, "messages_30d": g.messages_30d, "demands": tuple(g.demands or ())}
    apps = list(App.objects.filter(code__in=kind_codes.get("app", ())).select_related("owner"))
    regions = _nearest_regions([a.owner for a in apps])
    people: dict[str, int] = {}
    for a in apps:
        region = regions.get(a.owner_id)
        if region and region.code not in people:
            people[region.code] = Person.objects.filter(unit__path__startswith=region.path).count()
        facts[("app", a.code)] = {
            "name": a.name,
            "monthly_active_users": a.monthly_active_users,
            "scope_people": people.get(region.code, 0) if region else 0,
            "forced_features": tuple(a.forced_features or ()),
        }
    for c in PublicAccount.objects.filter(code__in=kind_codes.get("account", ())):
        facts[("account", c.code)] = {
            "name": c.name,
            "assessments": tuple(c.assessments or ()),
            "posts_30d": c.posts_30d,
        }
    forms = Form.objects.filter(code__in=kind_codes.get("form", ())).annotate(n=Count("fields"))
    for f in forms:
        facts[("form", f.code)] = {
            "name": f.title,
            "frequency": f.frequency,
            "minutes_per_filing": f.minutes_per_filing,
            "fields": f.n,
        }
    return facts


def survey_answers(survey: Survey) -> tuple[list[Answer], dict[tuple[str, str], dict]]:
    """Every carrier answer of the survey as a calibration Answer (carriers gone from the registry are left out)."""
    rows = list(
        CarrierAnswer.objects.filter(survey=survey).values_list(
            "kind", "carrier_code", "minutes_per_week", "droppable", "bearers"
        )
    )
    kind_codes: dict[str, set[str]] = defaultdict(set)
    for kind, code, *_rest in rows:
        kind_codes[kind].add(code)
    facts = carrier_facts(kind_codes)
    answers = []
    for kind, code, minutes, _droppable, bearers in rows:
        fact = facts.get((kind, code))
        if fact is None:
            continue
        extra = {k: v for k, v in fact.items() if k != "name"}
        if kind == "form":
            extra["sharing_people"] = max(1, bearers)
        answers.append(Answer(kind=kind, carrier=code, minutes_per_week=minutes, **extra))
    return answers, facts


def region_params(survey: Survey) -> BurdenParams:
    """The survey region's parameters before calibration."""
    return base_config().params_for_path(survey.region.path)


@dataclass
class Results:
    respondents: int
    shown: bool  # at least K respondents: anything is shown at all
    calibration: Calibration | None
    carriers: list[dict]  # carriers with at least K answers
    hidden_carriers: int  # carriers answered by fewer than K
    params: list[tuple[str, str, str]]  # (parameter, before, after)


def _param_rows(before: BurdenParams, overrides: dict) -> list[tuple[str, str, str]]:
    rows = []
    for name, value in overrides.items():
        old = getattr(before, name)
        if isinstance(value, dict):
            for term, change in value.items():
                cad = old.get(term)
                rows.append((f"{name}[{term}]", f"{cad.minutes:g}", f"{change['minutes']:g}"))
        else:
            rows.append((name, f"{old:g}", f"{value:g}"))
    return rows


def results(survey: Survey) -> Results:
    respondents = survey.returns.count()
    if respondents < K_ANONYMITY:
        return Results(respondents, False, None, [], 0, [])
    answers, facts = survey_answers(survey)
    params = region_params(survey)
    cal = calibrate(params, answers, min_answers=K_ANONYMITY)
    calibrated = params.with_overrides(cal.overrides)
    weeks = params.weeks_per_month
    by_carrier: dict[tuple[str, str], list[Answer]] = defaultdict(list)
    for a in answers:
        by_carrier[(a.kind, a.carrier)].append(a)
    droppable = dict(((k, c), n) for k, c, n in _droppable_counts(survey))
    carriers, hidden = [], 0
    for key, rows in by_carrier.items():
        if len(rows) < K_ANONYMITY:
            hidden += 1
            continue
        n = len(rows)
        carriers.append(
            {
                "kind": key[0],
                "code": key[1],
                "name": facts[key]["name"],
                "answers": n,
                "measured_h": sum(a.minutes_per_week for a in rows) * weeks / n / 60,
                "model_h": sum(model_minutes(params, a) for a in rows) / n / 60,
                "calibrated_h": sum(model_minutes(calibrated, a) for a in rows) / n / 60,
                "droppable_pct": 100.0 * droppable.get(key, 0) / n,
            }
        )
    carriers.sort(key=lambda r: (-r["measured_h"], r["kind"], r["code"]))
    return Results(respondents, True, cal, carriers, hidden, _param_rows(params, cal.overrides))


def _droppable_counts(survey: Survey):
    from django.db.models import Count, Q

    return (
        CarrierAnswer.objects.filter(survey=survey)
        .values("kind", "carrier_code")
        .annotate(n=Count("id", filter=Q(droppable=True)))
        .values_list("kind", "carrier_code", "n")
    )
