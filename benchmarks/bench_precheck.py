"""Does the filing pre-check rank the original first when someone proposes a slightly changed copy of it?

For each seed: generate a county (`jianfu generate --scale county --seed N`), import it into a throwaway
JIANFU_HOME (SQLite), then write a slightly changed copy of every existing group, app/platform, public
account and form — new code, same owner — into import-format files (groups with a members file, forms
with a fields file) and run them through the same path as `jianfu precheck FILES` (read-only). A copy
counts as found when the pre-check's first similar item is the original.

What "slightly changed" means (seeded, reproducible):

* name / title: one of — a suffix such as （新） or 2群 / 二期, one character deleted (names of six or more
  characters), or written in Traditional characters;
* groups: about 10% of the members replaced (``--change``; n ≥ 4: round(0.1·n), at least 1, dropped and as many
  people of the county added; n = 3: one added) — purpose, platform, nature and owner kept;
* apps and platforms: one function dropped (if it has three or more) and a generic one added; the
  description loses its last clause and gets 等 after the first list of functions (paraphrase);
* accounts: the name change only (platform and owner kept);
* forms: one field dropped (if it has four or more) and one field renamed (measure word or bracketed unit
  added or removed).

    .venv/bin/python benchmarks/bench_precheck.py [--seeds 1,2,3] [--groups N] [--change 0.1] [--json FILE]

Prints the share of copies whose original ranks first, per kind and overall, and the time per proposal.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def perturb_name(rng: random.Random, name: str, suffixes: list[str]) -> str:
    from jianfu.generate.messy import traditional

    choice = rng.random()
    if choice < 0.5:
        return name + rng.choice(suffixes)
    if choice < 0.8 and len(name) >= 6:
        i = rng.randrange(1, len(name) - 1)
        return name[:i] + name[i + 1 :]
    converted = traditional(name)
    return converted if converted != name else name + rng.choice(suffixes)


def perturb_description(text: str) -> str:
    parts = re.split(r"([，。,])", text)
    clauses = [p for p in parts if p and p not in "，。,"]
    if len(clauses) > 2:
        text = "，".join(clauses[:-1]) + "。"
    return re.sub(r"(、[^、，。,]+)([，。,])", r"\1等\2", text, count=1)


def perturb_field(rng: random.Random, name: str) -> str:
    m = re.match(r"^(.*?)[（(](.+)[)）]$", name)
    if m:
        return m.group(1)
    if name.endswith("数"):
        return name[:-1]
    return name + rng.choice(["数", "（个）", "（人）"])


def write_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write_string(r, c, str(value)) if isinstance(value, str) else sheet.write(r, c, value)
    book.close()


def build_copies(folder: Path, rng: random.Random, group_limit: int | None, change: float = 0.1) -> dict[str, str]:
    """Write copies of the registry's items as import files into ``folder``; returns copy code → original code."""
    from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, WorkGroup

    originals: dict[str, str] = {}
    people = list(Person.objects.values_list("code", flat=True))
    members: dict[int, list[str]] = defaultdict(list)
    for gid, code in Membership.objects.values_list("group_id", "person__code"):
        members[gid].append(code)
    groups = list(WorkGroup.objects.select_related("owner").order_by("code"))
    if group_limit is not None and group_limit < len(groups):
        groups = sorted(rng.sample(groups, group_limit), key=lambda g: g.code)
    group_rows, member_rows = [], []
    for g in groups:
        code = f"COPY-{g.code}"
        originals[code] = g.code
        current = sorted(members[g.id])
        n = len(current)
        k = max(1, round(n * change))
        keep = current if n < 4 else rng.sample(current, n - k)
        pool = [p for p in rng.sample(people, min(len(people), 2 * k + 50)) if p not in current]
        new_members = keep + pool[:k]
        group_rows.append(
            [
                code,
                perturb_name(rng, g.name, ["(新)", "2群", "工作群", "（2025）"]),
                g.platform,
                g.owner.code,
                "临时" if g.nature == "temporary" else "常设",
                g.task_end_date.isoformat() if g.task_end_date else None,
                g.purpose,
            ]
        )
        member_rows.extend([code, p] for p in new_members)
    write_xlsx(
        folder / "copies_groups.xlsx",
        ["编号", "群名称", "平台", "主管单位", "性质", "任务结束日期", "用途"],
        group_rows,
    )
    with (folder / "copies_members.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["群编号", "人员编号"])
        w.writerows(member_rows)

    category = {"app": "APP", "mini_program": "小程序", "h5": "H5", "pc": "PC系统", "platform": "平台"}
    generic = ["通知公告", "信息报送", "学习培训", "消息推送", "统计分析"]
    app_rows = []
    for a in App.objects.select_related("owner").order_by("code"):
        code = f"COPY-{a.code}"
        originals[code] = a.code
        functions = list(a.functions)
        if len(functions) >= 3:
            functions.pop(rng.randrange(len(functions)))
        functions.append(rng.choice([g for g in generic if g not in functions] or generic))
        app_rows.append(
            [
                code,
                perturb_name(rng, a.name, ["二期", "（新版）", "2.0", "移动端"]),
                category[a.category],
                a.owner.code,
                "；".join(functions),
                perturb_description(a.description),
            ]
        )
    write_xlsx(folder / "copies_apps.xlsx", ["编号", "名称", "类别", "主管单位", "功能", "描述"], app_rows)

    account_rows = []
    for a in PublicAccount.objects.select_related("owner").order_by("code"):
        code = f"COPY-{a.code}"
        originals[code] = a.code
        account_rows.append([code, perturb_name(rng, a.name, ["（新）", "2", "官方", "号"]), a.platform, a.owner.code])
    write_xlsx(folder / "copies_accounts.xlsx", ["编号", "名称", "平台", "主办单位"], account_rows)

    fields: dict[int, list[str]] = defaultdict(list)
    for form_id, name in FormField.objects.order_by("form_id", "position").values_list("form_id", "name"):
        fields[form_id].append(name)
    form_rows, field_rows = [], []
    freq = {
        "day": "日",
        "week": "周",
        "dekad": "旬",
        "month": "月",
        "quarter": "季",
        "halfyear": "半年",
        "year": "年",
        "adhoc": "临时",
    }
    for f in Form.objects.select_related("issuer").order_by("code"):
        code = f"COPY-{f.code}"
        originals[code] = f.code
        names = list(fields[f.id])
        if len(names) >= 4:
            names.pop(rng.randrange(len(names)))
        if names:
            i = rng.randrange(len(names))
            names[i] = perturb_field(rng, names[i])
        form_rows.append(
            [code, perturb_name(rng, f.title, ["（新）", "（2025年）", "汇总表"]), f.issuer.code, freq[f.frequency]]
        )
        field_rows.extend([code, i, n] for i, n in enumerate(names, start=1))
    write_xlsx(folder / "copies_forms.xlsx", ["编号", "表名", "发文单位", "频次"], form_rows)
    write_xlsx(folder / "copies_fields.xlsx", ["报表编号", "序号", "字段名称"], field_rows)
    return originals


def run_seed(seed: int, work: Path, group_limit: int | None, change: float) -> dict:
    from jianfu.generate import generate

    data = work / f"county-{seed}"
    generate("county", seed, data)
    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    from jianfu.registry.importing import import_paths
    from jianfu.registry.models import App, Form, FormField, Membership, Person, PublicAccount, Unit, WorkGroup

    # One database per process: empty the registry between seeds.
    for model in (Membership, FormField, Form, WorkGroup, PublicAccount, App, Person):
        model.objects.all().delete()
    Unit.objects.all().update(parent=None)
    Unit.objects.all().delete()
    t0 = time.perf_counter()
    report = import_paths([data], actor="bench")
    assert report.ok, "the generated county must import"
    imported = time.perf_counter() - t0
    copies = work / f"copies-{seed}-{change}"
    copies.mkdir()
    originals = build_copies(copies, random.Random(seed * 1000 + 7), group_limit, change)

    from jianfu.filings.cli import precheck_paths

    t0 = time.perf_counter()
    document = precheck_paths([copies])
    seconds = time.perf_counter() - t0
    assert not document["errors"], document["errors"][:3]

    planted = defaultdict(set)
    for ftype in ("duplicate_groups", "duplicate_apps", "duplicate_accounts", "duplicate_forms"):
        for f in truth["findings"].get(ftype, []):
            for code in f["items"]:
                planted[code].update(c for c in f["items"] if c != code)
    per_kind: dict[str, Counter] = defaultdict(Counter)
    misses = []
    for p in document["proposals"]:
        kind = "apps" if p["kind"] in ("apps", "platforms") else p["kind"]
        original = originals[p["code"]]
        first = p["similar"][0]["code"] if p["similar"] else None
        c = per_kind[kind]
        c["tried"] += 1
        if first == original:
            c["first"] += 1
        else:
            if first in planted[original]:
                c["planted_duplicate_first"] += 1
            if original in [s["code"] for s in p["similar"][:3]]:
                c["top3"] += 1
            misses.append(
                {
                    "copy": p["code"],
                    "name": p["name"],
                    "original": original,
                    "ranked_first": first,
                    "scores": [(s["code"], s["score"]) for s in p["similar"][:3]],
                }
            )
    return {
        "seed": seed,
        "import_seconds": round(imported, 2),
        "precheck_seconds": round(seconds, 2),
        "proposals": len(document["proposals"]),
        "per_kind": {k: dict(v) for k, v in per_kind.items()},
        "misses": misses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1", help="comma-separated generator seeds (one county each)")
    parser.add_argument("--groups", type=int, default=None, help="copy only a random sample of N groups per county")
    parser.add_argument(
        "--change", type=float, default=0.1, help="share of a group's members replaced in its copy (default 0.1)"
    )
    parser.add_argument("--json", help="write the full result (with every miss) to this file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="jianfu-bench-precheck-"))
    os.environ["JIANFU_HOME"] = str(work / "home")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jianfu.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    results = [run_seed(int(s), work, args.groups, args.change) for s in args.seeds.split(",") if s.strip()]

    total: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for kind, c in r["per_kind"].items():
            total[kind].update(c)
    print(f"{'kind':<10}{'tried':>7}{'first':>7}{'share':>9}{'top 3':>8}{'planted dup 1st':>17}")
    all_tried = all_first = 0
    for kind in ("groups", "apps", "accounts", "forms"):
        c = total.get(kind, Counter())
        if not c["tried"]:
            continue
        all_tried += c["tried"]
        all_first += c["first"]
        print(
            f"{kind:<10}{c['tried']:>7}{c['first']:>7}{c['first'] / c['tried']:>9.2%}"
            f"{(c['first'] + c['top3']) / c['tried']:>8.2%}{c['planted_duplicate_first']:>17}"
        )
    gaa = sum(total[k]["first"] for k in ("groups", "apps", "accounts"))
    gaa_n = sum(total[k]["tried"] for k in ("groups", "apps", "accounts"))
    print(f"{'all':<10}{all_tried:>7}{all_first:>7}{all_first / max(all_tried, 1):>9.2%}")
    print(
        f"groups + apps + accounts (the acceptance figure, members changed {args.change:.0%}): "
        f"{gaa}/{gaa_n} = {gaa / max(gaa_n, 1):.2%}"
    )
    for r in results:
        print(
            f"seed {r['seed']}: {r['proposals']} proposals pre-checked in {r['precheck_seconds']} s "
            f"({1000 * r['precheck_seconds'] / max(r['proposals'], 1):.1f} ms each; import {r['import_seconds']} s)"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"results": results, "total": {k: dict(v) for k, v in total.items()}}, ensure_ascii=False, indent=2
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
