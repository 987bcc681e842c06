"""Hostile files are refused in bounded time and memory, with a clear message, and write nothing.

Each file is first read in a child process under a memory and CPU limit, so a regression fails this test
instead of killing pytest; only then is it imported here, against the database.
"""

import json
import resource
import subprocess
import zipfile
import sys
from pathlib import Path

import pytest

from jianfu.ingest import limits
from jianfu.registry.importing import import_paths
from jianfu.registry.models import ImportBatch, Membership
from tests import builders, hostile
from tests.fuzz import harness

pytestmark = pytest.mark.django_db

_CHILD = """
import json, sys
from pathlib import Path
from jianfu.ingest import open_inventory
inventory = open_inventory(Path(sys.argv[1]))
errors = [e.message() for e in inventory.file_errors]
records = 0
for sheet in inventory.sheets:
    records += sum(1 for _ in sheet.records())
    errors += [e.message() for e in sheet.errors]
print(json.dumps({"errors": errors, "records": records}, ensure_ascii=False))
"""
MEMORY = 768 << 20
SECONDS = 20


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS, SECONDS))


def read_in_child(path: Path) -> dict:
    """What the readers make of the file, read in a child process that may use 768 MB and 20 s of CPU."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=SECONDS * 3,
        preexec_fn=_limit_child,
        env={"PYTHONPATH": ":".join(sys.path)},
    )
    assert done.returncode == 0, f"the reader died on {path.name} (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout)


def refused_without_writing(path: Path, expected: str) -> None:
    """Refused by the readers (in a child) with the expected words, then by the importer, writing nothing."""
    outcome = read_in_child(path)
    assert outcome["records"] == 0 and any(expected in message for message in outcome["errors"]), outcome
    before = Membership.objects.count()
    report = import_paths([path], kind="members")
    result = report.files[0]
    assert not report.ok and result.status == ImportBatch.Status.REJECTED
    assert any(expected in e.message() and path.name in e.message() for e in result.errors)
    assert Membership.objects.count() == before


@pytest.fixture
def county(tmp_path):
    report = import_paths([builders.write_small_county(tmp_path / "county")])
    assert report.ok
    return tmp_path


def test_a_far_cell_does_not_make_the_reader_allocate_the_whole_sheet(county):
    path = hostile.far_cell_xlsx(county / "far.xlsx")
    assert path.stat().st_size < 5000
    refused_without_writing(path, "工作表「成员」的已用区域达 1048576 行 × 16384 列（到 XFD1048576）")


def test_a_far_cell_in_an_ods_or_xls_is_refused_too(county):
    refused_without_writing(hostile.far_cell_ods(county / "far.ods"), "（到 XFD1048576）")
    refused_without_writing(hostile.far_cell_xls(county / "far.xls"), "工作表「成员」声明的位置超出表格上限")


def test_an_ods_repeat_bomb_is_refused(county):
    refused_without_writing(hostile.repeat_bomb_ods(county / "bomb.ods"), "个有内容的单元格，超过上限")


def test_a_zip_bomb_is_refused_from_the_zip_directory(county):
    refused_without_writing(hostile.zip_bomb_xlsx(county / "bomb.xlsx"), "压缩比异常")


def test_a_dtd_is_refused(county):
    refused_without_writing(hostile.doctype_xlsx(county / "laughs.xlsx"), "含有 DTD 声明")


def test_too_many_sheets_are_refused(county):
    refused_without_writing(
        hostile.many_sheets_xlsx(county / "sheets.xlsx", limits.MAX_SHEETS + 1), "个工作表，超过上限"
    )


def test_one_enormous_csv_line_is_refused(county):
    refused_without_writing(hostile.long_line_csv(county / "line.csv"), f"第 2 行超过 {limits.MAX_CSV_LINE} 个字符")


def test_a_cell_longer_than_excel_allows_is_refused_at_its_place(county):
    path = builders.write_csv(county / "long.csv", [["群编号", "人员编号"], ["G1", "P" * 40000]])
    refused_without_writing(path, "第 2 行列「人员编号」")
    assert "超过 32767 个字符" in import_paths([path]).files[0].errors[0].message()


def test_deep_nesting_reads_in_bounded_time(county):
    outcome = read_in_child(hostile.deep_xlsx(county / "deep.xlsx"))
    assert outcome == {"errors": [], "records": 1}


def test_a_merged_range_over_the_whole_sheet_is_clipped_to_the_data(county):
    path = hostile.wide_merge_xlsx(county / "merged.xlsx")
    assert read_in_child(path) == {"errors": [], "records": 2}
    assert import_paths([path]).ok


def test_a_sparse_sheet_within_the_floor_still_imports(county):
    rows = {1: {"A1": "群编号", "B1": "人员编号"}, 2: {"A2": "G2", "B2": "P2"}, 900: {"Z900": "注：本表由民政局提供"}}
    path = hostile.write_raw_xlsx(county / "sparse.xlsx", {"成员": hostile.sheet_xml(rows)})
    assert read_in_child(path) == {"errors": [], "records": 1}
    report = import_paths([path])
    assert report.ok and report.files[0].created == 1


@pytest.mark.parametrize("number,letters", [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA"), (16384, "XFD")])
def test_column_letters(number, letters):
    assert limits.column_letters(number) == letters and limits.column_number(letters) == number


def test_a_truncated_xls_that_makes_calamine_panic_is_refused(county):
    # calamine panics (pyo3's PanicException, a BaseException) on an xls cut inside its sector table;
    # olefile now refuses it first, and the reader would turn the panic into a refusal too.
    data = builders.write_xls(county / "whole.xls", builders.MEMBER_ROWS).read_bytes()
    path = county / "cut.xls"
    path.write_bytes(data[:4096])
    refused_without_writing(path, "不是有效的 xls 文件（OLE2 复合文档结构损坏）")


def test_a_zip_that_python_cannot_open_is_refused(county):
    # zipfile raises NotImplementedError, not BadZipFile, for an unknown "version needed to extract".
    source = builders.write_xlsx(county / "ok.xlsx", builders.MEMBER_ROWS)
    refused_without_writing(hostile.future_zip_version(county / "v18.xlsx", source), "zip 结构损坏")


def test_a_dimension_that_hides_the_far_cell_is_not_believed(county):
    rows = {1: {"A1": "群编号", "B1": "人员编号"}, 2: {"A2": "G1", "B2": "P1"}, 1048576: {"XFD1048576": "x"}}
    path = hostile.write_raw_xlsx(county / "lying.xlsx", {"成员": hostile.sheet_xml(rows, dimension="A1:B2")})
    refused_without_writing(path, "（到 XFD1048576）")


def test_a_stale_larger_dimension_does_not_refuse_a_small_sheet(county):
    # Excel keeps the old used range after rows are deleted; the cells decide, not the declaration.
    rows = {1: {"A1": "群编号", "B1": "人员编号"}, 2: {"A2": "G2", "B2": "P2"}}
    path = hostile.write_raw_xlsx(county / "stale.xlsx", {"成员": hostile.sheet_xml(rows, dimension="A1:XFD1048576")})
    assert read_in_child(path) == {"errors": [], "records": 1}


@pytest.mark.parametrize(
    "reference,outside",
    [
        ("B300001", False),
        ("A1", False),
        ("B299999", False),
        ("C1", True),
        ("AA1", True),
        ("A300002", True),
        ("A1000000", True),
        ("A01", True),
        ("a1", True),
        ("XFD1048576", True),
    ],
)
def test_a_cell_beyond_the_declared_dimension_is_noticed(tmp_path, reference, outside):
    rows = {1: {"A1": "群编号", "B1": "人员编号"}, 2: {reference: "x"}}
    path = hostile.write_raw_xlsx(tmp_path / "d.xlsx", {"S": hostile.sheet_xml(rows, dimension="A1:B300001")})
    with zipfile.ZipFile(path) as archive:
        declared = limits._declared_extent(archive, "xl/worksheets/sheet1.xml", "S")
    assert (declared is None) == outside


def test_the_xls_found_by_fuzzing_that_aborted_the_process_is_refused(county):
    # atheris set the first row of the DIMENSIONS record (161) past the last (5): calamine reserved 687 GB
    # for the wrapped difference and aborted the process (exit 134).
    data = bytearray(harness.seed_files(county / "seeds")[".xls"])
    assert data[1673] == 0
    data[1673] = 0xA1
    path = county / "flipped.xls"
    path.write_bytes(bytes(data))
    refused_without_writing(path, "首行或首列在末行、末列之后")
