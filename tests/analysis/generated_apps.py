"""The apps of a generated inventory as the duplicate_apps detector sees them, read back from the files
(region = the nearest unit with a 12-digit division code, places = the names of the regions above)."""

from __future__ import annotations

from pathlib import Path

from python_calamine import CalamineWorkbook

from jianfu.textnorm import normalize_header, split_multi


def _rows(path: Path) -> list[dict]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    h = 0
    while sum(1 for c in rows[h] if c not in ("", None)) < 3:
        h += 1
    header = [normalize_header(c) for c in rows[h]]
    return [dict(zip(header, r)) for r in rows[h + 1 :] if sum(1 for c in r if c not in ("", None)) >= 3]


def read_apps(out_dir: Path) -> list[dict]:
    units = {str(u["编码"]): u for u in _rows(out_dir / "单位.xlsx")}

    def regions_above(code: str) -> list[str]:
        out = []
        while code:
            if len(code) == 12:
                out.append(code)
            code = str(units[code]["上级编码"] or "")
        return out

    apps = []
    for a in _rows(out_dir / "应用.xlsx"):
        regions = regions_above(str(a["主管单位"]))
        apps.append(
            {
                "code": a["编号"],
                "name": a["应用名称"],
                "description": a["描述"],
                "functions": split_multi(a["功能"]),
                "region": regions[0],
                "level": None,
                "places": [units[r]["名称"] for r in regions],
            }
        )
    return apps
