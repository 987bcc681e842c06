"""`jianfu report --from DATE --to DATE [--region CODE] [--json F] [--docx F] [--pdf F] [--xlsx F]`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from jianfu.bootstrap import EXIT_FAILED, EXIT_OK, setup_django


def cmd_report(args: argparse.Namespace) -> int:
    setup_django()
    from jianfu.reports.summary import ReportError, build_report, parse_window, resolve_region

    user = None
    if args.user:
        from jianfu.accounts.models import User

        user = User.objects.filter(username=args.user, is_active=True).select_related("unit").first()
        if user is None:
            print(f"错误：用户「{args.user}」不存在或已停用", file=sys.stderr)
            return EXIT_FAILED
    try:
        start, end = parse_window(args.date_from, args.date_to)
        region = resolve_region(user, args.region)
        report = build_report(start, end, region, user=user)
    except ReportError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return EXIT_FAILED
    outputs = _render(report, args)
    for path, content in outputs:
        Path(path).write_bytes(content)
    s = report.summary
    print(
        f"{s['region_name'] or '全部地区'} {s['from']} 至 {s['to']}：每月负担 {s['hours_per_month']['start']:.1f} → "
        f"{s['hours_per_month']['end']:.1f} 小时；人均中位数 {s['per_cadre_hours_per_month']['start']['p50']:.2f} → "
        f"{s['per_cadre_hours_per_month']['end']['p50']:.2f} 小时；完成整改 {s['findings']['done']} 条"
    )
    for kind, label in (
        ("groups", "工作群"),
        ("apps", "应用"),
        ("platforms", "平台"),
        ("accounts", "公众号"),
        ("forms", "报表"),
    ):
        print(f"  {label:<6}{s['carriers'][kind]['start']:>10,} → {s['carriers'][kind]['end']:>10,}")
    for path, _content in outputs:
        print(f"已写入 {path}")
    return EXIT_OK


def _render(report, args) -> list[tuple[str, bytes]]:
    from jianfu.reports import export

    outputs = []
    if args.json:
        outputs.append((args.json, json.dumps(report.summary, ensure_ascii=False, indent=2).encode("utf-8")))
    if args.xlsx:
        outputs.append((args.xlsx, export.write_xlsx(report)))
    if args.docx or args.pdf:
        document = export.build_document(report)  # the charts are drawn once for both
        from jianfu.documents import render_docx, render_pdf

        if args.docx:
            outputs.append((args.docx, render_docx(document)))
        if args.pdf:
            outputs.append((args.pdf, render_pdf(document)))
    return outputs


def add_parsers(sub) -> None:
    p = sub.add_parser("report", help="减负实效报告：两个日期之间的载体、问题处理和基层负担变化")
    p.add_argument("--from", dest="date_from", required=True, help="开始日期 YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="结束日期 YYYY-MM-DD")
    p.add_argument("--region", help="地区（单位编码）；默认全部")
    p.add_argument("--user", help="以该用户的身份：只能选其管辖区域")
    p.add_argument("--json", help="把概要写入 JSON 文件")
    p.add_argument("--docx", help="写出 Word 报告")
    p.add_argument("--pdf", help="写出 PDF 报告")
    p.add_argument("--xlsx", help="写出 Excel 表格（每张表一页）")
    p.set_defaults(func=cmd_report)
