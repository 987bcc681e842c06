"""Membership import throughput into the embedded SQLite default, from CSV and from xlsx.

Prints, in one run, the baseline (one ORM save per membership row, as a naive importer would do) and ours
(jianfu.registry.importing: parse, validate, resolve codes, multi-row insert), as rows/s and a ratio.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--xlsx-rows 300000]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path


def write_inputs(folder: Path, people: int, groups: int, rows: int, xlsx_rows: int) -> dict[str, Path]:
    import xlsxwriter

    rng = random.Random(7)
    with (folder / "units.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["编码", "名称", "上级编码", "层级"])
        w.writerow(["330102000000", "上城区", "", "县"])
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["人员编号", "姓名", "所属单位"])
        w.writerows([f"P{i:07d}", f"人员{i}", "330102000000"] for i in range(people))
    with (folder / "groups.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["群编号", "群名称", "平台", "主管单位"])
        w.writerows([f"G{i:07d}", f"工作群{i}", "微信", "330102000000"] for i in range(groups))

    def pairs(count: int, offset: int):
        seen = set()
        while len(seen) < count:
            pair = (rng.randrange(groups), rng.randrange(people))
            if pair not in seen:
                seen.add(pair)
                yield f"G{pair[0]:07d}", f"P{pair[1]:07d}"

    members_csv = folder / "members.csv"
    with members_csv.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["群编号", "人员编号"])
        w.writerows(pairs(rows, 0))
    members_xlsx = folder / "members.xlsx"
    book = xlsxwriter.Workbook(str(members_xlsx), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["群编号", "人员编号"])
    for r, (g, p) in enumerate(pairs(xlsx_rows, 1), start=1):
        sheet.write_row(r, 0, [g, p])
    book.close()
    return {
        "base": [folder / "units.csv", folder / "people.csv", folder / "groups.csv"],
        "csv": members_csv,
        "xlsx": members_xlsx,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=300_000)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=60_000)
    parser.add_argument("--postgres", metavar="URL", help="measure against this (empty, throwaway) PostgreSQL database")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="jianfu-bench-"))
    os.environ["JIANFU_HOME"] = str(home)
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    else:
        os.environ.pop("DATABASE_URL", None)
    from jianfu.cli import setup_django

    setup_django()
    from django.db import transaction

    from jianfu.registry.importing import import_paths
    from jianfu.registry.models import Membership, Person, WorkGroup

    inputs = write_inputs(home, args.people, args.groups, args.rows, args.xlsx_rows)
    assert import_paths(inputs["base"]).ok

    # Baseline: what a naive importer does — read the CSV and save one ORM object per row.
    start = time.perf_counter()
    people = dict(Person.objects.values_list("code", "id"))
    groups = dict(WorkGroup.objects.values_list("code", "id"))
    with transaction.atomic(), inputs["csv"].open(encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for i, (g, p) in enumerate(reader):
            if i >= args.baseline_rows:
                break
            Membership(group_id=groups[g], person_id=people[p]).save()
    baseline = args.baseline_rows / (time.perf_counter() - start)
    Membership.objects.all().delete()

    results = {}
    for kind, rows in (("csv", args.rows), ("xlsx", args.xlsx_rows)):
        Membership.objects.all().delete()
        start = time.perf_counter()
        report = import_paths([inputs[kind]])
        elapsed = time.perf_counter() - start
        assert report.ok and report.files[0].created == rows, report.files[0]
        results[kind] = rows / elapsed
        print(f"ours   {kind:<4} {rows:>10,} rows in {elapsed:6.2f} s = {results[kind]:>10,.0f} rows/s", flush=True)
    print(f"baseline (one ORM save per row, {args.baseline_rows:,} rows): {baseline:,.0f} rows/s")
    print(
        f"ratio csv/baseline  = {results['csv'] / baseline:5.1f}x   (target ≥ 100,000 rows/s: "
        f"{'met' if results['csv'] >= 100_000 else 'NOT met'})"
    )
    print(
        f"ratio xlsx/baseline = {results['xlsx'] / baseline:5.1f}x   (target ≥ 30,000 rows/s: "
        f"{'met' if results['xlsx'] >= 30_000 else 'NOT met'})"
    )
    where = "PostgreSQL" if args.postgres else f"SQLite at {home}"
    print(f"python {sys.version.split()[0]}, {where}")


if __name__ == "__main__":
    main()
