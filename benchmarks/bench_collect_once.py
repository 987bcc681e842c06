"""一表通 on a generated county: the consolidation cut in indicators, and the pre-filled share of issued forms.

    JIANFU_HOME=/tmp/jh-bench .venv/bin/python benchmarks/bench_collect_once.py [--seed 7] [--out /tmp/county]

Method (every number from the real commands and actions, nothing assumed):
1. `jianfu generate --scale county` writes the county, with the generator's form families (the same indicators
   asked by several departments in other words, units in brackets, Traditional characters), the element catalog
   (数据元.xlsx) and the values held (数据元取值.csv, period 2026); `jianfu import` loads it all.
2. `jianfu analyze --json` maps every field with the matcher, finds duplicate_forms and writes the consolidation
   plan; the cut is 1 − indicators_after / indicators_before. Mapping accuracy is checked against the
   generator's truth (form → the element of each field, in position order).
3. Every form is issued for the period 2026 (elements.actions.do_issue_form, as its issuing office would);
   the pre-filled share is pre-filled fields / fields over all copies; over the copies of respondents for
   which values are held (at least one held value for that unit and period); and over the fields whose value is
   held (the generator's truth names the field's element, and a value of it is held for that unit and period).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def jianfu(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "jianfu.cli", *args],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="county-"))
    jianfu("generate", "--scale", "county", "--seed", str(args.seed), "--out", str(out))
    jianfu("import", str(out))
    analysis = out / "analysis.json"
    jianfu("analyze", "--json", str(analysis), "--quiet", "--as-of", "2026-11-26")
    doc = json.loads(analysis.read_text(encoding="utf-8"))
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    plan = doc["consolidation"]
    cut = 1 - plan["indicators_after"] / plan["indicators_before"]
    print(
        f"forms {plan['forms_before']} → {plan['forms_after']}, indicators {plan['indicators_before']} → "
        f"{plan['indicators_after']} (cut {cut:.1%}), hours/month {plan['hours_before_per_month']} → "
        f"{plan['hours_after_per_month']}"
    )
    by_form: dict[str, list] = {}
    for m in sorted(doc["field_mappings"], key=lambda m: (m["form"], m["position"])):
        by_form.setdefault(m["form"], []).append(m["element"])
    pairs = [
        (got, want)
        for form, wanted in truth["form_field_elements"].items()
        for got, want in zip(by_form.get(form, []), wanted)
    ]
    right = sum(got == want for got, want in pairs)
    print(f"mapping against the generator's truth: {right} of {len(pairs)} fields ({right / len(pairs):.1%})")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    import django

    django.setup()
    from django.db.models import Sum

    from jianfu.accounts.models import Role, User
    from jianfu.elements.actions import ElementError, do_issue_form
    from jianfu.elements.models import HeldValue, IssueCopy
    from jianfu.registry.models import Form

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": Role.ADMIN, "is_superuser": True})
    deadline = dt.date.today() + dt.timedelta(days=7)
    issued = skipped = 0
    for form in Form.objects.select_related("issuer").order_by("code"):
        try:
            do_issue_form(form, period="2026", deadline=deadline, acting_user=admin)
            issued += 1
        except ElementError:
            skipped += 1  # no respondent unit of its level in the region
    copies = IssueCopy.objects.filter(issue__period="2026")
    held_units = set(HeldValue.objects.filter(period="2026").values_list("unit_id", flat=True))
    every = copies.aggregate(p=Sum("prefilled"), t=Sum("fields_total"))
    held = copies.filter(respondent_id__in=held_units).aggregate(p=Sum("prefilled"), t=Sum("fields_total"))
    # Fields whose element (by the generator's truth) has a value held for that respondent and period.
    from jianfu.elements.models import CopyValue

    held_pairs = set(HeldValue.objects.filter(period="2026").values_list("element__code", "unit_id"))
    asked = filled = 0
    for form, position, unit, prefilled in (
        CopyValue.objects.filter(copy__issue__period="2026")
        .values_list("copy__issue__form__code", "field__position", "copy__respondent_id", "prefilled_value")
        .iterator()
    ):
        wanted = truth["form_field_elements"].get(form, [])
        element = wanted[position - 1] if 0 < position <= len(wanted) else None
        if (element, unit) in held_pairs:
            asked += 1
            filled += bool(prefilled)
    print(
        f"fields whose value is held (generator's truth): {filled} of {asked} pre-filled ({filled / max(asked, 1):.1%})"
    )
    print(f"issued {issued} forms ({skipped} without respondents), {copies.count()} copies")
    print(
        f"pre-filled: {every['p']} of {every['t']} fields over all copies ({every['p'] / every['t']:.1%}); "
        f"where values are held: {held['p']} of {held['t']} ({held['p'] / max(held['t'] or 0, 1):.1%})"
    )


if __name__ == "__main__":
    main()
