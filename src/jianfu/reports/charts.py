"""The report's charts as PNG, drawn on the server with matplotlib (Agg) in a Noto CJK font: no browser, no boxes."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from django.utils.translation import gettext as _

from jianfu.reports.summary import Report

_LOCK = threading.Lock()  # pyplot's state is global: one chart at a time per process
_COLORS = ["#2f6fb0", "#d9822b", "#3a9a5b", "#b8413c", "#7a5cad", "#8c8c8c"]


def cjk_font_path() -> Path:
    """The Noto CJK font file the charts use (jianfu.documents' choice, so charts and text match)."""
    from jianfu.documents.fonts import cjk_font_path as documents_font

    found = documents_font()
    if found is None:
        raise RuntimeError("no CJK font found: install fonts-noto-cjk")
    return Path(found)


def font_properties():
    from matplotlib import font_manager

    path = str(cjk_font_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


def _figure(width: float = 8.0, height: float = 4.2):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    prop = font_properties()
    plt.rcParams["font.family"] = prop.get_name()
    plt.rcParams["axes.unicode_minus"] = False
    fig, ax = plt.subplots(figsize=(width, height), dpi=150)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def kind_labels() -> dict[str, str]:
    return {
        "groups": _("工作群"),
        "apps": _("应用"),
        "platforms": _("平台"),
        "accounts": _("公众号"),
        "forms": _("报表"),
    }


def carriers_over_time(report: Report) -> bytes:
    """One line per carrier kind: how many were active on each date of the window."""
    series = report.carrier_series
    with _LOCK:
        plt, fig, ax = _figure(9.0, 3.4)
        fig.delaxes(ax)
        labels = [d.strftime("%m-%d") for d in series["dates"]]
        kinds = list(kind_labels().items())
        # One small panel per kind: a county's thousands of groups would flatten its dozens of apps on one axis.
        for index, (color, (kind, label)) in enumerate(zip(_COLORS, kinds), start=1):
            panel = fig.add_subplot(1, len(kinds), index)
            panel.plot(labels, series[kind], marker="o", color=color)
            panel.set_title(label)
            panel.spines[["top", "right"]].set_visible(False)
            panel.tick_params(axis="x", labelrotation=45, labelsize=7)
            panel.tick_params(axis="y", labelsize=7)
            low, high = min(series[kind] or [0]), max(series[kind] or [0])
            panel.set_ylim(max(0, low - max(1, (high - low)) * 0.5), high + max(1, (high - low)) * 0.5)
        fig.suptitle(_("在用载体数量变化"))
        return _png(plt, fig)


def hours_per_cadre(report: Report) -> bytes:
    """The per-cadre median and 90th percentile, at the start and at the end of the window."""
    cadre = report.summary["per_cadre_hours_per_month"]
    with _LOCK:
        plt, fig, ax = _figure(7.0, 4.0)
        names = [_("中位数"), _("90%分位数")]
        width = 0.36
        for offset, (key, label, color) in enumerate(
            (
                ("start", _("期初 %(day)s") % {"day": report.summary["from"]}, _COLORS[5]),
                ("end", _("期末 %(day)s") % {"day": report.summary["to"]}, _COLORS[0]),
            )
        ):
            values = [cadre[key]["p50"], cadre[key]["p90"]]
            bars = ax.bar([i + (offset - 0.5) * width for i in range(2)], values, width, label=label, color=color)
            ax.bar_label(bars, fmt="%.1f")
        ax.set_xticks(range(2), names)
        ax.set_title(_("人均每月负担（小时）"))
        ax.legend(frameon=False)
        return _png(plt, fig)


def findings_by_rule(report: Report) -> bytes:
    """Findings per rule, stacked by their status."""
    from jianfu.findings.labels import RULE_LABELS

    rows = report.by_rule
    with _LOCK:
        plt, fig, ax = _figure(7.5, 4.0)
        names = [f"{rule} {RULE_LABELS.get(rule, '')}" for rule, *_counts in rows] or ["—"]
        bottoms = [0] * len(names)
        for index, (label, color) in enumerate(
            zip((_("待处理"), _("已采纳"), _("已驳回"), _("已完成")), (_COLORS[1], _COLORS[0], _COLORS[5], _COLORS[2])),
            start=1,
        ):
            values = [row[index] for row in rows] or [0]
            ax.bar(names, values, bottom=bottoms, label=label, color=color)
            bottoms = [b + v for b, v in zip(bottoms, values)]
        ax.set_title(_("各类问题及处理情况"))
        ax.set_ylabel(_("条数"))
        ax.legend(frameon=False)
        return _png(plt, fig)


def all_charts(report: Report) -> list[tuple[str, bytes]]:
    return [
        (_("在用载体数量变化"), carriers_over_time(report)),
        (_("人均每月负担（小时）"), hours_per_cadre(report)),
        (_("各类问题及处理情况"), findings_by_rule(report)),
    ]
