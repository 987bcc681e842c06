"""Excel export of a filtered list: same scope and filters as the page, formulas neutralised, phones masked."""

import io

import openpyxl
import pytest

from jianfu.registry.export import neutralise

pytestmark = pytest.mark.django_db

KINDS = ["units", "people", "apps", "accounts", "groups", "forms"]


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(response) -> list[list]:
    sheet = workbook(response).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def first_column(response) -> set[str]:
    return {r[0] for r in rows(response)[1:]}


@pytest.mark.parametrize("kind", KINDS)
def test_it_redirects_anonymous_visitors(client, kind):
    assert client.get(f"/{kind}/export/")["Location"].startswith("/login/")
    assert client.get(f"/{kind}/", {"format": "xlsx"})["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "kind,inside,outside",
    [
        ("units", "330102001001", "330105001000"),
        ("people", "P1", "P4"),
        ("apps", "A1", "A3"),
        ("accounts", "AC1", "AC2"),
        ("groups", "G1", "G3"),
        ("forms", "F1", "F2"),
    ],
)
def test_the_export_keeps_to_the_region(cast, as_user, kind, inside, outside):
    county = first_column(as_user(cast.county).get(f"/{kind}/export/"))
    assert inside in county and outside not in county
    other = first_column(as_user(cast.outsider).get(f"/{kind}/", {"format": "xlsx"}))
    assert outside in other and inside not in other


def test_the_export_applies_the_lists_filters(cast, as_user):
    assert first_column(as_user(cast.province).get("/groups/export/", {"platform": "钉钉"})) == {"G2", "G4"}
    assert first_column(as_user(cast.province).get("/apps/", {"q": "拱墅", "format": "xlsx"})) == {"A3"}


def test_headers_are_the_import_headers(cast, as_user):
    header = rows(as_user(cast.county).get("/apps/export/"))[0]
    assert header[:4] == ["编号", "名称", "类别", "主管单位"]


def test_phones_are_masked(cast, as_user):
    table = rows(as_user(cast.county).get("/people/export/"))
    phones = {r[0]: r[2] for r in table[1:]}
    assert phones["P1"] == "138****5678"
    assert not any("12345678" in str(cell) for r in table for cell in r if cell)


def test_formula_cells_are_neutralised(cast, as_user):
    table = rows(as_user(cast.county).get("/apps/export/"))
    description = {r[0]: r[10] for r in table[1:]}["A1"]
    assert description.startswith("'=HYPERLINK")
    book = workbook(as_user(cast.county).get("/apps/export/"))
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)


def test_numbers_and_dates_stay_typed(cast, as_user):
    table = rows(as_user(cast.county).get("/apps/export/"))
    a1 = {r[0]: r for r in table[1:]}["A1"]
    assert a1[6] == 1200 and a1[5].date().isoformat() == "2024-05-01"


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("正常文本", "正常文本"),
        (42, 42),
        ("", ""),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_an_exported_file_imports_again_unchanged(cast, as_user, tmp_path):
    from jianfu.registry.importing import import_paths

    path = tmp_path / "groups.xlsx"
    response = as_user(cast.county).get("/groups/export/")
    path.write_bytes(b"".join(response.streaming_content))
    report = import_paths([path], kind="groups")
    assert report.ok, [e.message() for e in report.files[0].errors]
    assert report.files[0].updated == 0 and report.files[0].unchanged == 3
