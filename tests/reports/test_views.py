"""/reports/, its downloads and GET /api/v1/reports/summary/: in scope, out of scope, wrong role, anonymous."""

import pytest

from jianfu.registry.importing import import_paths
from tests import builders
from tests.cast import COUNTY, SIBLING
from tests.reports.conftest import START, accept_and_finish

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/summary/"


def window(outcome, **extra) -> dict:
    return {"from": START.isoformat(), "to": outcome.today.isoformat(), **extra}


def test_the_page_previews_the_officers_region(outcome, as_user):
    response = as_user(outcome.county).get("/reports/", window(outcome))
    assert response.status_code == 200
    s = response.context["s"]
    assert s["region"] == COUNTY and s["carriers"]["groups"] == {"start": 3, "end": 2}
    body = response.content.decode()
    assert 'id="chart-carriers"' in body and 'id="table-carriers"' in body and "/static/vendor/echarts.min.js" in body
    for fmt in ("xlsx", "docx", "pdf"):
        assert f"/reports/download/{fmt}/?" in body


def test_the_province_may_pick_a_county(outcome, as_user):
    response = as_user(outcome.province).get("/reports/", window(outcome, region=SIBLING))
    assert response.status_code == 200 and response.context["s"]["region"] == SIBLING
    assert SIBLING in {u.code for u in response.context["regions"]}


@pytest.mark.parametrize("fmt, magic", [("xlsx", b"PK"), ("docx", b"PK"), ("pdf", b"%PDF")])
def test_downloads(outcome, as_user, fmt, magic):
    response = as_user(outcome.county).get(f"/reports/download/{fmt}/", window(outcome))
    assert response.status_code == 200 and response.content.startswith(magic)
    assert f"report-{COUNTY}-" in response["Content-Disposition"]


def test_out_of_scope_wrong_role_and_anonymous(outcome, as_user):
    assert as_user(outcome.outsider).get("/reports/", window(outcome, region=COUNTY)).status_code == 404
    assert as_user(outcome.outsider).get("/reports/download/pdf/", window(outcome, region=COUNTY)).status_code == 404
    for user in (outcome.department, outcome.cadre):
        assert as_user(user).get("/reports/", window(outcome)).status_code == 403
        assert as_user(user).get("/reports/download/xlsx/", window(outcome)).status_code == 403
    anonymous = as_user(None).get("/reports/", window(outcome))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert as_user(None).get("/reports/download/pdf/", window(outcome)).status_code == 302
    assert as_user(outcome.discipline).get("/reports/", window(outcome)).status_code == 200


def test_bad_windows_show_a_clear_message(outcome, as_user):
    client = as_user(outcome.county)
    backwards = client.get("/reports/", {"from": "2026-12-31", "to": "2026-12-01"})
    assert backwards.status_code == 400 and "晚于结束日期" in backwards.content.decode()
    empty = client.get("/reports/", {"from": "2020-01-01", "to": "2020-02-01"})
    assert empty.status_code == 404 and "没有分析记录" in empty.content.decode()
    assert client.get("/reports/download/pdf/", {"from": "2026-12-31", "to": "2026-12-01"}).status_code == 400
    assert client.get("/reports/download/doc/", window(outcome)).status_code == 404


def test_the_api_gives_the_same_json(outcome, client, token_for):
    headers = token_for(outcome.county)
    response = client.get(API, window(outcome), **headers)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {
        "region",
        "from",
        "to",
        "carriers",
        "findings",
        "hours_per_month",
        "per_cadre_hours_per_month",
        "clues",
        "cases",
    }
    assert body["region"] == COUNTY and body["carriers"]["groups"] == {"start": 3, "end": 2}
    assert body["findings"]["done"] == 1


def test_the_api_refuses_what_it_should(outcome, client, token_for):
    outsider = token_for(outcome.outsider)
    assert client.get(API, window(outcome, region=COUNTY), **outsider).json()["error"]["code"] == "not_found"
    assert client.get(API, window(outcome, region=COUNTY), **outsider).status_code == 404
    assert client.get(API, window(outcome), **token_for(outcome.department)).status_code == 403
    assert client.get(API, window(outcome), **token_for(outcome.cadre)).status_code == 403
    assert client.get(API, window(outcome)).status_code == 401
    county = token_for(outcome.county)
    backwards = client.get(API, {"from": "2026-12-31", "to": "2026-12-01"}, **county)
    assert backwards.status_code == 400 and "from" in backwards.json()["error"]["fields"]
    assert client.get(API, {"from": "2020-01-01", "to": "2020-02-01"}, **county).status_code == 404
    assert client.get(API, {"to": "2026-12-01"}, **county).status_code == 400


def dashboard_groups(client) -> int:
    return {key: value for key, _label, value in client.get("/").context["cards"]}["groups"]


def test_the_dashboard_follows_a_decision_and_an_import_at_once(first_run, as_user, tmp_path):
    from jianfu.findings.models import Finding

    client = as_user(first_run.county)
    assert dashboard_groups(client) == 3
    accept_and_finish(Finding.objects.get(type="duplicate_groups"), first_run.county, keep="G4")
    assert dashboard_groups(client) == 2  # no waiting for the cache to expire
    rows = [["编号", "群名称", "平台", "主管单位"], ["G9", "新建群", "微信", COUNTY]]
    assert import_paths([builders.write_xlsx(tmp_path / "groups.xlsx", rows)], actor="test").ok
    assert dashboard_groups(client) == 3
