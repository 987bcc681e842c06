"""The outcome report as a spreadsheet (every table a sheet) and as a document a county sends up (.docx, .pdf)."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from jianfu.findings.labels import RULE_LABELS
from jianfu.reports.charts import all_charts, kind_labels
from jianfu.reports.summary import CARRIER_KINDS, Report
from jianfu.xlsx import neutralise


def _num(value: float) -> str:
    return f"{value:,.1f}"


def region_label(report: Report) -> str:
    return report.region.name if report.region else _("全部地区")


def summary_paragraph(report: Report) -> str:
    """The numbers in one paragraph, as the report's opening says them."""
    s = report.summary
    carriers, labels = s["carriers"], kind_labels()
    changes = "，".join(
        _("%(kind)s由 %(start)d 个减至 %(end)d 个")
        % {"kind": labels[k], "start": carriers[k]["start"], "end": carriers[k]["end"]}
        if carriers[k]["end"] <= carriers[k]["start"]
        else _("%(kind)s由 %(start)d 个增至 %(end)d 个")
        % {"kind": labels[k], "start": carriers[k]["start"], "end": carriers[k]["end"]}
        for k in CARRIER_KINDS
    )
    hours, cadre, f = s["hours_per_month"], s["per_cadre_hours_per_month"], s["findings"]
    return _(
        "%(start)s 至 %(end)s，%(region)s%(changes)s。基层每月负担由 %(h0)s 小时变为 %(h1)s 小时，%(change)s；"
        "人均每月负担中位数由 %(p50a)s 小时变为 %(p50b)s 小时，90%%分位数由 %(p90a)s 小时变为 %(p90b)s 小时。"
        "期间新发现问题 %(opened)d 条，采纳 %(accepted)d 条，驳回 %(rejected)d 条，完成整改 %(done)d 条；"
        "收到问题线索 %(clues)d 条，办结 %(clues_closed)d 条；立案 %(cases)d 件，办结 %(cases_closed)d 件，"
        "逾期 %(overdue)d 件。"
    ) % {
        "start": s["from"],
        "end": s["to"],
        "region": region_label(report),
        "changes": changes,
        "h0": _num(hours["start"]),
        "h1": _num(hours["end"]),
        "change": (_("减少 %(h)s 小时") if hours["saved"] >= 0 else _("增加 %(h)s 小时"))
        % {"h": _num(abs(hours["saved"]))},
        "p50a": _num(cadre["start"]["p50"]),
        "p50b": _num(cadre["end"]["p50"]),
        "p90a": _num(cadre["start"]["p90"]),
        "p90b": _num(cadre["end"]["p90"]),
        "opened": f["opened"],
        "accepted": f["accepted"],
        "rejected": f["rejected"],
        "done": f["done"],
        "clues": s["clues"]["received"],
        "clues_closed": s["clues"]["closed"],
        "cases": s["cases"]["opened"],
        "cases_closed": s["cases"]["closed"],
        "overdue": s["cases"]["overdue"],
    }


#: (title, header, rows): a sheet of the .xlsx, a table of the documents
Table = tuple[str, list[str], list[list]]


def tables(report: Report) -> list[Table]:
    """Every table of the report: (title, header, rows) — the sheets of the .xlsx, the tables of the documents."""
    labels = kind_labels()
    return [
        _carriers_table(report, labels),
        _burden_table(report),
        _findings_table(report),
        _by_rule_table(report),
        _supervision_table(report),
        _carriers_over_time_table(report, labels),
        _runs_table(report),
        _top_units_table(report),
        *(_ended_table(report, kind, labels) for kind in CARRIER_KINDS),
    ]


def _carriers_table(report: Report, labels: dict[str, str]) -> Table:
    carriers = report.summary["carriers"]
    rows = [
        [labels[k], carriers[k]["start"], carriers[k]["end"], carriers[k]["end"] - carriers[k]["start"]]
        for k in CARRIER_KINDS
    ]
    return _("载体数量"), [_("载体"), _("期初"), _("期末"), _("增减")], rows


def _burden_table(report: Report) -> Table:
    hours = report.summary["hours_per_month"]
    cadre = report.summary["per_cadre_hours_per_month"]
    rows = [
        [_("基层每月负担（小时）"), hours["start"], hours["end"], round(hours["end"] - hours["start"], 2)],
        [
            _("人均每月负担中位数（小时）"),
            cadre["start"]["p50"],
            cadre["end"]["p50"],
            round(cadre["end"]["p50"] - cadre["start"]["p50"], 2),
        ],
        [
            _("人均每月负担90%分位数（小时）"),
            cadre["start"]["p90"],
            cadre["end"]["p90"],
            round(cadre["end"]["p90"] - cadre["start"]["p90"], 2),
        ],
    ]
    return _("基层负担"), [_("指标"), _("期初"), _("期末"), _("增减")], rows


def _findings_table(report: Report) -> Table:
    f = report.summary["findings"]
    rows = [
        [_("新发现"), f["opened"]],
        [_("采纳"), f["accepted"]],
        [_("驳回"), f["rejected"]],
        [_("完成整改"), f["done"]],
        [_("完成整改的问题每月可减负（去重后，小时）"), report.summary["hours_per_month"]["done_findings"]],
    ]
    return _("问题处理"), [_("事项"), _("数量")], rows


def _by_rule_table(report: Report) -> Table:
    rows = [[f"{rule} {RULE_LABELS.get(rule, '')}", *counts] for rule, *counts in report.by_rule]
    return _("按规则"), [_("规则"), _("待处理"), _("已采纳"), _("已驳回"), _("已完成")], rows


def _supervision_table(report: Report) -> Table:
    clues, cases = report.summary["clues"], report.summary["cases"]
    rows = [
        [_("收到问题线索"), clues["received"]],
        [_("办结线索"), clues["closed"]],
        [_("立案"), cases["opened"]],
        [_("办结案件"), cases["closed"]],
        [_("逾期案件"), cases["overdue"]],
    ]
    return _("线索与案件"), [_("事项"), _("数量")], rows


def _carriers_over_time_table(report: Report, labels: dict[str, str]) -> Table:
    series = report.carrier_series
    rows = [[d, *(series[k][i] for k in CARRIER_KINDS)] for i, d in enumerate(series["dates"])]
    return _("载体变化"), [_("日期"), *(labels[k] for k in CARRIER_KINDS)], rows


def _runs_table(report: Report) -> Table:
    rows = [
        [p["as_of"], p["people"], round(p["total"], 2), round(p["p50"], 2), round(p["p90"], 2)] for p in report.runs
    ]
    header = [_("基准日期"), _("人数"), _("每月负担（小时）"), _("人均中位数"), _("人均90%分位数")]
    return _("历次分析"), header, rows


def _top_units_table(report: Report) -> Table:
    rows = [
        [i, u["name"], u["code"], u["level"], u["people"], u["mean"], u["p90"], u["total"]]
        for i, u in enumerate(report.top_units, start=1)
    ]
    header = [
        _("序号"),
        _("单位"),
        _("编码"),
        _("层级"),
        _("人数"),
        _("人均（小时/月）"),
        _("90%分位数"),
        _("合计（小时/月）"),
    ]
    return _("负担最重的单位"), header, rows


def _ended_table(report: Report, kind: str, labels: dict[str, str]) -> Table:
    """The carriers of one kind ended or merged in the period, with the finding that asked for it."""
    rows = [
        [code, name, status, day, into, finding]
        for code, name, status, day, into, finding in report.ended.get(kind, [])
    ]
    return (
        _("%(kind)s注销与整合") % {"kind": labels[kind]},
        [_("编号"), _("名称"), _("状态"), _("生效日期"), _("并入"), _("依据问题")],
        rows,
    )


def write_xlsx(report: Report) -> bytes:
    """Every table as a sheet; text written as text (never a formula)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    ws = book.add_worksheet(_("概要")[:31])
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 100)
    overview = [
        (_("地区"), region_label(report)),
        (_("地区编码"), report.summary["region"] or ""),
        (_("期间"), f"{report.summary['from']} — {report.summary['to']}"),
        (_("概述"), summary_paragraph(report)),
    ]
    for r, (key, value) in enumerate(overview):
        ws.write_string(r, 0, key, bold)
        ws.write_string(r, 1, neutralise(value))
    used = {_("概要")[:31]}
    for title, header, rows in tables(report):
        name = _sheet_name(title, used)
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [neutralise(h) for h in header], bold)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(header) - 1, 16)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                value = neutralise(value)
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                else:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def build_document(report: Report, issuer: str | None = None):
    """The report as a jianfu.documents.Document: summary, a table per carrier kind, charts, top ten units."""
    from jianfu.documents import Document, Heading, Image, Paragraph, Table

    s = report.summary
    doc = Document(
        _("%(region)s减负实效报告（%(start)s 至 %(end)s）")
        % {"region": region_label(report), "start": s["from"], "end": s["to"]},
        issuer=issuer,
        date=timezone.localdate(),
    )
    doc.add(Heading(_("一、总体情况")), Paragraph(summary_paragraph(report)))
    every = {title: (header, rows) for title, header, rows in tables(report)}
    doc.add(Heading(_("二、载体清理情况")))
    header, rows = every[_("载体数量")]
    doc.add(Table(header, [[_cell(v) for v in row] for row in rows], caption=_("载体数量")))
    labels = kind_labels()
    for index, kind in enumerate(CARRIER_KINDS, start=1):
        title = _("%(kind)s注销与整合") % {"kind": labels[kind]}
        header, rows = every[title]
        doc.add(Heading(f"（{_chinese_number(index)}）{labels[kind]}", level=2))
        start, end = s["carriers"][kind]["start"], s["carriers"][kind]["end"]
        doc.add(
            Paragraph(
                _("期初在用 %(start)d 个，期末在用 %(end)d 个；期间注销或整合 %(n)d 个。")
                % {"start": start, "end": end, "n": len(rows)}
            )
        )
        if rows:
            doc.add(Table(header, [[_cell(v) for v in row] for row in rows], caption=title))
    doc.add(Heading(_("三、基层负担变化")))
    header, rows = every[_("基层负担")]
    doc.add(Table(header, [[_cell(v) for v in row] for row in rows], caption=_("基层负担")))
    header, rows = every[_("问题处理")]
    doc.add(Table(header, [[_cell(v) for v in row] for row in rows], caption=_("问题处理")))
    doc.add(Heading(_("四、图表")))
    for caption, png in all_charts(report):
        doc.add(Image(png, width_cm=15.0, caption=caption))
    doc.add(Heading(_("五、负担最重的十个单位")))
    header, rows = every[_("负担最重的单位")]
    if rows:
        doc.add(Table(header, [[_cell(v) for v in row] for row in rows], caption=_("负担最重的单位")))
    else:
        doc.add(Paragraph(_("期末分析没有该地区各单位的负担数据。")))
    doc.add(
        Paragraph(
            _("数据来源：期初为 %(a)s 的分析，期末为 %(b)s 的分析；载体按各日期的在用状态统计。")
            % {"a": s["runs"]["start"]["as_of"], "b": s["runs"]["end"]["as_of"]}
        )
    )
    return doc


def _chinese_number(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)


def write_docx(report: Report, issuer: str | None = None) -> bytes:
    from jianfu.documents import render_docx

    return render_docx(build_document(report, issuer))


def write_pdf(report: Report, issuer: str | None = None) -> bytes:
    from jianfu.documents import render_pdf

    return render_pdf(build_document(report, issuer))
