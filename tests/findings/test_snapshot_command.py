"""`jianfu snapshot DIR`: the registry as the Parquet snapshot a cluster run reads (docs/scale-out.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jianfu.analysis import run
from jianfu.cli import main

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 26)


def test_the_snapshot_gives_the_findings_analyze_stores(cast, tmp_path, capsys):
    assert main(["snapshot", str(tmp_path / "snap"), "--as-of", AS_OF.isoformat()]) == 0
    assert "已导出分析快照" in capsys.readouterr().out
    assert (tmp_path / "snap" / "members.parquet").exists() and (tmp_path / "snap" / "units.parquet").exists()
    assert main(["analyze", "--as-of", AS_OF.isoformat(), "--json", str(tmp_path / "a.json"), "--quiet"]) == 0
    stored = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    from_snapshot = run(tmp_path / "snap", AS_OF)
    assert stored["findings"], "the cast has findings"
    assert {f["id"] for f in from_snapshot.findings} == {f["id"] for f in stored["findings"]}


def test_it_writes_only_into_a_new_or_empty_folder(cast, tmp_path, capsys):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("not ours", encoding="utf-8")
    assert main(["snapshot", str(tmp_path / "used")]) == 1
    assert "不是空的" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["keep.txt"]


def test_a_bad_date_is_a_usage_error_not_a_traceback(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["snapshot", str(tmp_path / "snap"), "--as-of", "26/11/2026"])
    assert stop.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "snap").exists()
