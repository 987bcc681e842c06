#!/usr/bin/env python3
"""The dashboard's sums over a region's open findings, old method beside new, in one run, in process.

    JIANFU_HOME=/tmp/jh-prov PYTHONPATH=src python benchmarks/bench_dashboard.py --repeat 3
    DATABASE_URL=postgres://…/city PYTHONPATH=src python benchmarks/bench_dashboard.py

For the offices of the root region, of a county and of a township, and a township's cadre:
* old: what the dashboard did before: the hours by rule, then the whole, two passes over the open findings,
  each row's JSON decoded by Django's JSONField (the standard library);
* new: `jianfu.findings.hours.saved_hours_split`, one pass, the JSON read as text and parsed by orjson;
* page: the whole dashboard (`registry.dashboard.home`, rendered) with an empty cache, then again with the
  sums cached, as the next visitor of that region gets it until the data changes.

Each method's figures are checked to be equal. Times in ms, each call `--repeat` times: min / max, and old ÷ new.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    from jianfu.bootstrap import setup_django

    setup_django(migrate=False)


def officers() -> dict:
    """Unsaved users standing for the officers whose dashboards are measured."""
    from jianfu.accounts.models import Role, User
    from jianfu.registry.models import Unit

    root = Unit.objects.filter(parent__isnull=True).order_by("code").first()
    county = Unit.objects.filter(level="county").order_by("code").first()
    township = Unit.objects.filter(level="township", path__startswith=county.path).order_by("code").first()
    return {
        "root office": User(id=10**9, username="b1", role=Role.OFFICE, unit=root),
        "county office": User(id=10**9 + 1, username="b2", role=Role.OFFICE, unit=county),
        "township office": User(id=10**9 + 2, username="b3", role=Role.OFFICE, unit=township),
        "township cadre": User(id=10**9 + 3, username="b4", role=Role.CADRE, unit=township),
    }


def old_sums(open_findings) -> tuple[float, dict]:
    """The dashboard before: saved_hours_by(…, "rule") and saved_hours(…), each a pass with JSONField decoding."""
    from jianfu.analysis.findings import deduplicated_hours

    groups: dict[str, list[dict]] = {}
    rows = open_findings.order_by().values_list("rule", "type", "saved_by_item").iterator(chunk_size=5000)
    for rule, kind, saved in rows:
        groups.setdefault(rule, []).append({"type": kind, "_saved_by_item": saved or {}})
    by_rule = {rule: (len(group), deduplicated_hours(group)) for rule, group in groups.items()}
    rows = open_findings.order_by().values_list("type", "saved_by_item").iterator(chunk_size=5000)
    whole = deduplicated_hours({"type": kind, "_saved_by_item": saved or {}} for kind, saved in rows)
    return whole, by_rule


def timed(function, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def page(user):
    from django.test import RequestFactory

    from jianfu.registry.dashboard import home

    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    response = home(request)
    assert response.status_code == 200
    return len(response.content)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-old", action="store_true", help="only the new method and the page")
    args = parser.parse_args()
    setup()
    from django.core.cache import cache
    from django.utils import translation

    from jianfu.accounts import scope
    from jianfu.findings.hours import saved_hours_split
    from jianfu.findings.models import Finding

    translation.activate("zh-hans")
    print(
        f"{'officer':<17}{'open':>9}{'old ms':>18}{'new ms':>18}{'old ÷ new':>11}{'page cold ms':>20}{'page warm ms':>16}"
    )
    for label, user in officers().items():
        open_findings = scope.scoped(user, Finding).filter(is_current=True, status=Finding.Status.OPEN)
        new_times, new = timed(lambda q=open_findings: saved_hours_split(q, "rule"), args.repeat)
        if args.skip_old:
            old_times = []
        else:
            old_times, old = timed(lambda q=open_findings: old_sums(q), args.repeat)
            assert old == new, (label, old, new)
        cold, warm = [], []
        for _ in range(args.repeat):
            cache.clear()
            cold += timed(lambda u=user: page(u), 1)[0]
            warm += timed(lambda u=user: page(u), 1)[0]
        count = sum(n for n, _ in new[1].values())

        def spread(values: list[float]) -> str:
            return f"{min(values):,.0f}–{max(values):,.0f}" if values else "—"

        ratio = f"{min(old_times) / min(new_times):.1f}×" if old_times else "—"
        print(
            f"{label:<17}{count:>9,}{spread(old_times):>18}{spread(new_times):>18}{ratio:>11}"
            f"{spread(cold):>20}{spread(warm):>16}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
