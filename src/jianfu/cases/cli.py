"""`jianfu cases escalate [--as-of DATE] [--json FILE]`: the daily deadline job (registered by jianfu.cli)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from jianfu.bootstrap import EXIT_FAILED, EXIT_OK, setup_django


def cmd_escalate(args: argparse.Namespace) -> int:
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print(f"错误：--as-of 应为 年-月-日，例如 2026-12-01，而不是「{args.as_of}」", file=sys.stderr)
        return EXIT_FAILED
    setup_django()
    from django.utils import timezone

    from jianfu.cases.actions import do_escalate_overdue

    as_of = as_of or timezone.localdate()
    numbers = do_escalate_overdue(as_of)
    document = {"as_of": as_of.isoformat(), "escalated": numbers}
    if args.json:
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{as_of.isoformat()}：{len(numbers)} 个案件逾期或升级" + (f"：{'、'.join(numbers)}" if numbers else ""))
    return EXIT_OK


def add_parsers(sub) -> None:
    p = sub.add_parser("cases", help="督办案件")
    cases_sub = p.add_subparsers(dest="cases_command", required=True)
    q = cases_sub.add_parser(
        "escalate", help="每日任务：逾期未反馈的案件标为逾期并升级到上一级督办（同一天重复运行不再改变）"
    )
    q.add_argument("--as-of", help="按哪一天判断（默认今天），年-月-日")
    q.add_argument("--json", help="把本次逾期或升级的案件编号写入此 JSON 文件")
    q.set_defaults(func=cmd_escalate)
