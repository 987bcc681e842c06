"""一表通 over HTTP: the catalog, a form's mappings (confirm or correct, and the learning), issued forms and their
results; each tried with no token, a token in scope, one out of scope and a role that may not."""

from __future__ import annotations

import datetime as dt
import io

from urllib.parse import quote

import openpyxl
import pytest

from jianfu.audit.models import AuditEvent
from jianfu.elements import actions
from jianfu.elements.models import DataElement, FieldMapping
from jianfu.registry.importing import import_paths
from jianfu.registry.models import Form
from tests import builders
from tests.cast import BUREAU
from tests.elements.catalog import import_catalog

pytestmark = pytest.mark.django_db
# F3 (上城区民政局) gets a fourth field worded as no element of the catalog says; F4 asks it again.
MORE_FORMS = [
    ["编号", "表名", "发文单位", "填报对象", "频次", "填报渠道", "每次用时（分钟）"],
    ["F4", "低保家庭核对表", BUREAU, "乡", "月", "系统", 20],
]
MORE_FIELDS = [
    ["报表编号", "序号", "字段名称", "数据类型", "计量单位"],
    ["F3", 4, "享受低保的家庭总数", "数值", "户"],
    ["F4", 1, "享受低保的家庭总数", "数值", "户"],
]


@pytest.fixture
def catalog(cast, tmp_path):
    """The cast plus the installation's catalog, values held for 清波街道, forms F3 and F4, and DEC1 of 上城区."""
    import_catalog(tmp_path)
    more = tmp_path / "more"
    more.mkdir()
    builders.write_xlsx(more / "报表4.xlsx", MORE_FORMS)
    builders.write_xlsx(more / "报表字段4.xlsx", MORE_FIELDS)
    builders.write_xlsx(
        more / "区数据元.xlsx",
        [
            ["元素编码", "名称", "同义词", "定义", "数据类型", "计量单位", "权威来源"],
            ["DEC1", "网格员人数", "专职网格员数", "", "数值", "人", "上城区"],
        ],
    )
    report = import_paths([more], actor="county", scope=cast.county.unit)
    assert report.ok, [e.message() for f in report.files for e in f.errors]
    return cast


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def _error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code


def _issue(user, code="F1", period="2026-11"):
    return actions.do_issue_form(
        Form.objects.get(code=code), period=period, deadline=dt.date.today() + dt.timedelta(days=7), acting_user=user
    )


# --- no token ------------------------------------------------------------------------------------------------


def test_no_token_is_401_everywhere(catalog, api):
    number = _issue(catalog.county).number
    anonymous = api(None)
    for path in (
        "/api/v1/elements/",
        "/api/v1/elements/DE001/",
        "/api/v1/forms/F3/mappings/",
        "/api/v1/elements/issues/",
        f"/api/v1/elements/issues/{number}/",
        f"/api/v1/elements/issues/{number}/results.xlsx",
    ):
        _error(anonymous.get(path), 401, "unauthorized")
    _error(anonymous.post_json("/api/v1/forms/F3/mappings/4/", {"element": "DE001"}), 401, "unauthorized")
    assert not FieldMapping.objects.filter(confirmed=True).exists()


# --- the catalog ---------------------------------------------------------------------------------------------


def test_catalog_in_scope_out_of_scope_and_a_role_that_may_not(catalog, api):
    county = _codes(api(catalog.county).get("/api/v1/elements/?limit=500"))
    assert county == sorted(county) and {"DE001", "DE004", "DEC1"} <= set(county)
    outside = _codes(api(catalog.outsider).get("/api/v1/elements/?limit=500"))
    assert "DE001" in outside and "DEC1" not in outside  # shared down from the installation, not sideways
    assert api(catalog.county).get("/api/v1/elements/DEC1/").json()["region"] == "330102000000"
    _error(api(catalog.outsider).get("/api/v1/elements/DEC1/"), 404, "not_found")
    _error(api(catalog.county).get("/api/v1/elements/NO-SUCH/"), 404, "not_found")
    _error(api(catalog.cadre).get("/api/v1/elements/"), 403, "forbidden")
    _error(api(catalog.cadre).get("/api/v1/elements/DE001/"), 403, "forbidden")


def test_element_detail_carries_synonyms_type_unit_and_source(catalog, api):
    body = api(catalog.discipline).get("/api/v1/elements/DE001/").json()
    assert body["name"] == "低保户数" and body["synonyms"] == ["低保家庭户数", "最低生活保障户数"]
    assert (body["data_type"], body["unit"], body["source"], body["status"]) == ("number", "户", "民政局", "active")
    assert body["region"] is None and body["merged_into"] is None


def test_search_in_simplified_or_traditional_and_by_synonym(catalog, api):
    client = api(catalog.county)
    assert _codes(client.get("/api/v1/elements/?q=" + quote("户主"))) == ["DE003"]
    assert _codes(client.get("/api/v1/elements/?q=" + quote("戶主姓名"))) == ["DE003"]
    assert _codes(client.get("/api/v1/elements/?q=" + quote("最低生活保障"))) == ["DE001"]
    assert _codes(client.get("/api/v1/elements/?q=" + quote("網格員"))) == ["DEC1"]
    assert _codes(api(catalog.outsider).get("/api/v1/elements/?q=" + quote("网格员"))) == []


def test_catalog_pages_by_cursor_without_a_count(catalog, api):
    client = api(catalog.county)
    seen, url = [], "/api/v1/elements/?limit=2"
    while url:
        body = client.get(url).json()
        assert set(body) == {"results", "next"} and len(body["results"]) <= 2
        seen += [row["code"] for row in body["results"]]
        url = body["next"]
    assert seen == _codes(client.get("/api/v1/elements/?limit=500")) and len(seen) == 5
    _error(client.get("/api/v1/elements/?cursor=forged"), 400, "bad_cursor")


def test_merged_elements_are_listed_only_when_asked(catalog, api):
    province = catalog.province
    actions.do_propose_element(code="DEC2", name="专职网格员总数", acting_user=catalog.county)
    candidate = DataElement.objects.get(code="DEC2")
    assert "DEC2" in _codes(api(province).get("/api/v1/elements/?status=candidate"))
    actions.do_merge_elements(DataElement.objects.get(code="DEC1"), candidate, acting_user=province)
    assert "DEC2" not in _codes(api(province).get("/api/v1/elements/"))
    merged = api(province).get("/api/v1/elements/DEC2/").json()
    assert merged["status"] == "merged" and merged["merged_into"] == "DEC1"


# --- a form's mappings ---------------------------------------------------------------------------------------


def test_mappings_of_a_form(catalog, api):
    body = api(catalog.county).get("/api/v1/forms/F3/mappings/").json()
    rows = {row["position"]: row for row in body["results"]}
    assert body["form"] == "F3" and sorted(rows) == [1, 2, 3, 4]
    assert (rows[1]["element"], rows[1]["element_name"], rows[1]["status"]) == ("DE001", "低保户数", "suggested")
    assert rows[1]["score"] == 1.0 and rows[2]["element"] == "DE002" and rows[3]["element"] == "DE004"
    assert rows[4]["field"] == "享受低保的家庭总数" and rows[4]["unit"] == "户"
    assert not FieldMapping.objects.exists()  # a GET suggests, it does not store
    assert api(catalog.discipline).get("/api/v1/forms/F3/mappings/").status_code == 200
    _error(api(catalog.outsider).get("/api/v1/forms/F3/mappings/"), 404, "not_found")
    _error(api(catalog.county).get("/api/v1/forms/NO-SUCH/mappings/"), 404, "not_found")
    _error(api(catalog.cadre).get("/api/v1/forms/F3/mappings/"), 403, "forbidden")


def test_confirming_a_mapping_learns_the_field_name(catalog, api):
    before = {row["position"]: row for row in api(catalog.county).get("/api/v1/forms/F4/mappings/").json()["results"]}
    assert before[1]["element"] != "DE001" or before[1]["reason"] not in ("exact", "synonym")
    response = api(catalog.county).post_json("/api/v1/forms/F3/mappings/4/", {"element": "DE001"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["element"], body["status"], body["score"], body["learned_synonym"]) == (
        "DE001",
        "confirmed",
        1.0,
        "享受低保的家庭总数",
    )
    assert "享受低保的家庭总数" in DataElement.objects.get(code="DE001").synonyms
    event = AuditEvent.objects.get(object_kind="field_mappings", object_code="F3#4", action="confirm_mapping")
    assert event.changes["api_token"][1] is not None
    # The next form worded the same maps exactly.
    after = {row["position"]: row for row in api(catalog.county).get("/api/v1/forms/F4/mappings/").json()["results"]}
    assert (after[1]["element"], after[1]["score"], after[1]["status"]) == ("DE001", 1.0, "suggested")
    # Confirmed again: nothing new to learn.
    again = api(catalog.county).post_json("/api/v1/forms/F3/mappings/4/", {"element": "DE001"}).json()
    assert again["learned_synonym"] is None


def test_correcting_to_no_element(catalog, api):
    body = api(catalog.department).post_json("/api/v1/forms/F3/mappings/4/", {"element": None}).json()
    assert (body["element"], body["status"], body["learned_synonym"]) == (None, "confirmed", None)
    assert FieldMapping.objects.get(field__form__code="F3", field__position=4).confirmed


def test_confirming_is_refused_out_of_scope_for_a_role_that_may_not_and_on_bad_input(catalog, api):
    payload = {"element": "DE001"}
    _error(api(catalog.outsider).post_json("/api/v1/forms/F3/mappings/4/", payload), 404, "not_found")
    _error(api(catalog.discipline).post_json("/api/v1/forms/F3/mappings/4/", payload), 403, "forbidden")
    _error(api(catalog.cadre).post_json("/api/v1/forms/F3/mappings/4/", payload), 403, "forbidden")
    _error(api(catalog.county).post_json("/api/v1/forms/F3/mappings/99/", payload), 404, "not_found")
    unknown = api(catalog.county).post_json("/api/v1/forms/F3/mappings/4/", {"element": "NO-SUCH"})
    _error(unknown, 400, "invalid")
    assert "element" in unknown.json()["error"]["fields"]
    _error(api(catalog.county).post_json("/api/v1/forms/F3/mappings/4/", {"element": "DE001", "x": 1}), 400, "invalid")
    # An element of another county is not there at all for this form's officers.
    assert not FieldMapping.objects.exists()


def test_a_candidate_element_is_a_state_conflict(catalog, api):
    actions.do_propose_element(code="DEC2", name="专职网格员总数", acting_user=catalog.county)
    response = api(catalog.county).post_json("/api/v1/forms/F3/mappings/4/", {"element": "DEC2"})
    _error(response, 409, "conflict")
    assert "DEC2" in response.json()["error"]["message"]
    assert not FieldMapping.objects.exists()


# --- issued forms --------------------------------------------------------------------------------------------


def test_issued_forms_with_their_prefilled_share(catalog, api):
    issue = _issue(catalog.county)
    _issue(catalog.county, "F3")
    listed = api(catalog.county).get("/api/v1/elements/issues/").json()["results"]
    mine = next(row for row in listed if row["number"] == issue.number)
    assert (mine["form"], mine["period"], mine["copies"], mine["submitted"]) == ("F1", "2026-11", 1, 0)
    # 清波街道 holds both values of F1 (低保户数, 低保人数) for 2026-11.
    assert (mine["fields_total"], mine["prefilled"], mine["prefilled_share"]) == (2, 2, 1.0)
    assert [row["form"] for row in api(catalog.county).get("/api/v1/elements/issues/?form=F3").json()["results"]] == [
        "F3"
    ]
    detail = api(catalog.department).get(f"/api/v1/elements/issues/{issue.number}/").json()
    assert [(c["respondent"], c["status"], c["prefilled_share"]) for c in detail["results"]] == [
        ("330102001000", "open", 1.0)
    ]
    assert api(catalog.outsider).get("/api/v1/elements/issues/").json()["results"] == []
    _error(api(catalog.outsider).get(f"/api/v1/elements/issues/{issue.number}/"), 404, "not_found")
    _error(api(catalog.cadre).get("/api/v1/elements/issues/"), 403, "forbidden")
    _error(api(catalog.cadre).get(f"/api/v1/elements/issues/{issue.number}/"), 403, "forbidden")


def test_issued_forms_page_by_cursor(catalog, api):
    numbers = sorted([_issue(catalog.county, "F1").number, _issue(catalog.county, "F3").number])
    client = api(catalog.county)
    first = client.get("/api/v1/elements/issues/?limit=1").json()
    second = client.get(first["next"]).json()
    assert [first["results"][0]["number"], second["results"][0]["number"]] == numbers and second["next"] is None


def test_results_workbook(catalog, api):
    issue = _issue(catalog.county)
    copy = issue.copies.get()
    assert actions.do_submit_copy(copy, {v.field_id: "40" for v in copy.values.all()}, acting_user=catalog.cadre) == {}
    response = api(catalog.county).get(f"/api/v1/elements/issues/{issue.number}/results.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        rows[0][-2:] == ("低保户数（户）", "低保人数（人）")
        and rows[1][0] == "330102001000"
        and rows[1][-2:] == (40, 40)
    )
    assert api(catalog.county).get("/api/v1/elements/issues/").json()["results"][0]["submitted"] == 1
    _error(api(catalog.outsider).get(f"/api/v1/elements/issues/{issue.number}/results.xlsx"), 404, "not_found")
    _error(api(catalog.cadre).get(f"/api/v1/elements/issues/{issue.number}/results.xlsx"), 403, "forbidden")
