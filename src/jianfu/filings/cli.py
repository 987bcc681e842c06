"""`jianfu precheck` and `jianfu filings` (list, export, expire, offcatalog): registered by jianfu.cli.

Exit codes of `jianfu precheck PATH… [--json FILE]`:
  0  every proposal passed: no rule broken (refuse or flag);
  2  at least one proposal breaks a rule (forced-use feature, level, standing group for a task that ends,
     temporary group without end date, or a duplicate of an existing item);
  1  nothing could be checked: a file is missing or unreadable, or has a bad cell (it is named on stderr),
     or the paths hold no app, platform, account, group or form.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from jianfu.bootstrap import EXIT_FAILED, EXIT_OK, EXIT_RULES, setup_django


def _setup() -> None:
    setup_django()


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def precheck_paths(paths, *, as_of: dt.date | None = None) -> dict:
    """The JSON document of `jianfu precheck`: every proposal in the files, checked in a read-only transaction."""
    from jianfu.filings.files import read_proposals
    from jianfu.filings.precheck import Prechecker, read_only

    with read_only():
        read = read_proposals(paths)
        checker = Prechecker(as_of=as_of)
        proposals = [checker.check(item) for item in read.items]
    return {"proposals": proposals, "errors": read.errors, "notes": read.notes}


def cmd_precheck(args: argparse.Namespace) -> int:
    _setup()
    from jianfu.filings.precheck import RULE_LABELS, breaks_a_rule

    document = precheck_paths(args.paths, as_of=_date(args.as_of))
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    for error in document["errors"]:
        print(f"无法读取：{error.get('message')}", file=sys.stderr)
    for note in document["notes"]:
        print(f"说明：{note}", file=sys.stderr)
    broken = 0
    for p in document["proposals"]:
        bad = breaks_a_rule(p)
        broken += bad
        if args.quiet:
            continue
        top = p["similar"][0] if p["similar"] else None
        line = f"{'✗' if bad else '✓'} {p['code']} {p['name']}（{p['kind']}）"
        if top:
            line += f"：最相似 {top['code']} {top['name']}，得分 {top['score']:.2f}"
        print(line)
        for v in p["violations"]:
            if v["severity"] != "exempted":
                print(f"    [{RULE_LABELS.get(v['rule'], v['rule'])}] {v['reason']}")
    print(
        f"预审 {len(document['proposals'])} 项申报：{broken} 项违反规定，{len(document['proposals']) - broken} 项未发现问题",
        file=sys.stderr,
    )
    if document["errors"] or not document["proposals"]:
        if not document["proposals"]:
            print("没有找到可预审的应用、平台、公众账号、工作群或报表", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_RULES if broken else EXIT_OK


def _filings(args: argparse.Namespace):
    from django.db.models import Q

    from jianfu.filings.models import Filing

    qs = Filing.objects.select_related("owner", "proposal")
    if args.status:
        qs = qs.filter(status=args.status)
    if args.kind:
        qs = qs.filter(kind=args.kind)
    if args.unit:
        qs = qs.filter(Q(owner__code=args.unit) | Q(owner_path__contains=f"/{args.unit}/"))
    if args.expiring is not None:
        qs = qs.filter(status=Filing.Status.ACTIVE, expires_on__lte=dt.date.today() + dt.timedelta(days=args.expiring))
    return qs.order_by("expires_on", "number")


def cmd_filings_list(args: argparse.Namespace) -> int:
    _setup()
    today = dt.date.today()
    rows = [
        {
            "number": f.number,
            "kind": f.kind,
            "item_code": f.item_code,
            "name": f.name,
            "owner": f.owner.code,
            "status": f.status,
            "expires_on": f.expires_on.isoformat(),
            "basis": f.basis,
            "days_left": f.days_left(today),
            "proposal": f.proposal.code if f.proposal_id else None,
        }
        for f in _filings(args)
    ]
    if args.json:
        print(json.dumps({"filings": rows}, ensure_ascii=False))
        return EXIT_OK
    for r in rows:
        print(
            f"{r['number']:<26}{r['status']:<9}{r['expires_on']}  {r['days_left']:>5} 天  "
            f"{r['item_code']:<24}{r['name']}"
        )
    print(f"共 {len(rows)} 条备案", file=sys.stderr)
    return EXIT_OK


def cmd_filings_export(args: argparse.Namespace) -> int:
    _setup()
    from jianfu.filings.export import write_filings_xlsx

    qs = _filings(args)
    write_filings_xlsx(str(args.file), qs.iterator(chunk_size=2000), dt.date.today())
    print(f"已导出 {qs.count()} 条备案到 {args.file}")
    return EXIT_OK


def cmd_filings_expire(args: argparse.Namespace) -> int:
    _setup()
    from jianfu.filings.lifecycle import run_lifecycle

    report = run_lifecycle(_date(args.as_of), actor=args.actor)
    print(f"{report.as_of}：发送到期提醒 {len(report.reminded)} 条，置为到期 {len(report.expired)} 条")
    for number in report.expired:
        print(f"  已到期 {number}")
    return EXIT_OK


def cmd_filings_offcatalog(args: argparse.Namespace) -> int:
    _setup()
    from jianfu.filings.lifecycle import OFF_CATALOG_KINDS, off_catalog

    document = {}
    for kind, (_model, unit_field, title) in OFF_CATALOG_KINDS.items():
        qs = off_catalog(kind).select_related(unit_field).order_by("code")
        if args.unit:
            qs = qs.filter(**{f"{unit_field}__path__contains": f"/{args.unit}/"})
        document[kind] = [
            {"code": o.code, "name": getattr(o, title), "owner": getattr(o, unit_field).code}
            for o in qs.iterator(chunk_size=2000)
        ]
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    for kind, items in document.items():
        print(f"{kind:<10}{len(items):>8} 项目录外")
    return EXIT_OK


def add_parsers(sub) -> None:
    """Register `precheck` and `filings` on the `jianfu` command's subparsers."""
    p = sub.add_parser(
        "precheck",
        help="把文件中的对象当作新建申报预审（不写入任何数据）",
        description="把导入格式文件中的应用、平台、公众账号、工作群（可附群成员文件）和报表（可附字段文件）"
        "当作新建申报，与台账比对最相似的现有对象并核查违规情形。不写入任何数据。"
        "退出码：0 未发现违规；2 有申报违反规定；1 文件无法读取或没有可预审的对象。",
    )
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", help="把预审结果写入 JSON 文件")
    p.add_argument("--as-of", help="基准日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--quiet", action="store_true", help="不逐项打印")
    p.set_defaults(func=cmd_precheck)

    p = sub.add_parser("filings", help="备案目录：列出、导出、到期处理、目录外对象")
    fs = p.add_subparsers(dest="filings_command", required=True)

    def common(q):
        q.add_argument("--status", choices=["active", "expired"])
        q.add_argument("--kind", choices=["apps", "platforms", "accounts", "groups", "forms"])
        q.add_argument("--unit", help="只看该单位及其下级")
        q.add_argument("--expiring", type=int, metavar="DAYS", help="只看 DAYS 天内到期的有效备案")

    q = fs.add_parser("list", help="列出备案")
    common(q)
    q.add_argument("--json", action="store_true", help="输出 JSON")
    q.set_defaults(func=cmd_filings_list)

    q = fs.add_parser("export", help="导出备案目录为 Excel")
    q.add_argument("file")
    common(q)
    q.set_defaults(func=cmd_filings_export)

    q = fs.add_parser("expire", help="定时任务：发送到期提醒，并把过期备案置为到期（建议每天运行）")
    q.add_argument("--as-of", help="基准日期 YYYY-MM-DD（默认今天）")
    q.add_argument("--actor", default=os.environ.get("USER", "scheduler"))
    q.set_defaults(func=cmd_filings_expire)

    q = fs.add_parser("offcatalog", help="列出台账中没有备案的目录外对象")
    q.add_argument("--unit", help="只看该单位及其下级")
    q.add_argument("--json", help="写入 JSON 文件")
    q.set_defaults(func=cmd_filings_offcatalog)
