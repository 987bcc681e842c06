"""Detectors: each is a finding type with a function returning named SQL steps and a builder of findings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from jianfu.analysis.backend import PREFIX, AnalysisBackend, SQLStep
from jianfu.analysis.config import AnalysisConfig
from jianfu.analysis.findings import Reason, make_finding

StepsFn = Callable[[AnalysisConfig, date], list[SQLStep]]
BuildFn = Callable[[AnalysisBackend, AnalysisConfig, date], list[dict[str, Any]]]


@dataclass(frozen=True)
class Detector:
    """A finding type: ``steps`` compute it in SQL, ``build`` turns the last step's rows into findings."""

    type: str
    steps: StepsFn
    build: BuildFn


def output_table(type_: str) -> str:
    return f"{PREFIX}f_{type_}"


def date_literal(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def sql_detector(
    type_: str,
    steps: StepsFn,
    reason: Callable[[dict[str, Any]], Reason],
    arithmetic: Callable[[dict[str, Any], AnalysisConfig], list[dict[str, Any]]] | None = None,
) -> Detector:
    """A detector whose last step already holds one row per finding.

    The row has ``rule``, ``action``, ``items`` (main item first), ``owner_code``, ``score``,
    ``hours_saved``, evidence columns named ``ev_<key>`` and whatever else ``reason`` reads; ``arithmetic``
    explains ``hours_saved`` from the row and the burden parameters.
    """

    def build(backend: AnalysisBackend, config: AnalysisConfig, as_of: date) -> list[dict[str, Any]]:
        rows = backend.query(f"SELECT * FROM {output_table(type_)}")
        out = []
        for row in rows:
            evidence = {k[3:]: v for k, v in row.items() if k.startswith("ev_")}
            out.append(
                make_finding(
                    type_,
                    row["rule"],
                    row["action"],
                    list(row["items"]),
                    score=row["score"],
                    evidence=evidence,
                    hours_saved=row["hours_saved"] or 0.0,
                    reason=reason(row),
                    owner_code=row["owner_code"],
                    arithmetic=arithmetic(row, config) if arithmetic else None,
                )
            )
        return out

    return Detector(type_, steps, build)


def all_detectors() -> list[Detector]:
    """Every detector in the order the pipeline runs them."""
    from jianfu.analysis.detectors import accounts, apps, duplicate_apps, duplicate_groups, groups

    return [
        duplicate_groups.DETECTOR,
        groups.EXPIRED,
        groups.IDLE,
        groups.DEMAND,
        duplicate_apps.DETECTOR,
        apps.ZOMBIE,
        apps.FORCED,
        accounts.STALE,
        accounts.ASSESSMENT,
        accounts.DUPLICATES,
    ]
