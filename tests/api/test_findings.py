"""GET /api/v1/findings/ and POST /api/v1/findings/<id>/decision/: scope, filters, roles, conflicts, audit."""

import pytest

from jianfu.audit.models import AuditEvent
from jianfu.findings.models import Finding
from tests.formats import FINDING_KEYS
from tests.web.conftest import BUREAU, SIBLING

pytestmark = pytest.mark.django_db


def a_finding_of(owner_code: str) -> Finding:
    return Finding.objects.filter(owner__code=owner_code).order_by("fid").first()


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def decide(client, finding, decision="accept", reason="属实"):
    return client.post_json(f"/api/v1/findings/{finding.fid}/decision/", {"decision": decision, "reason": reason})


def test_no_token_is_401_everywhere(analysed, api):
    finding = a_finding_of(BUREAU)
    assert api(None).get("/api/v1/findings/").status_code == 401
    assert api(None).get(f"/api/v1/findings/{finding.fid}/").status_code == 401
    assert decide(api(None), finding).status_code == 401
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_the_list_holds_the_region_only_as_analyze_writes_it(analysed, api):
    county, outsider = (
        ids(api(analysed.county).get("/api/v1/findings/?limit=500")),
        ids(api(analysed.outsider).get("/api/v1/findings/?limit=500")),
    )
    assert county and outsider and not county & outsider
    row = api(analysed.county).get(f"/api/v1/findings/{a_finding_of(BUREAU).fid}/").json()
    assert set(row) >= FINDING_KEYS | {"status"}
    assert row["status"] == "open" and row["owner_code"] == BUREAU


def test_filters_by_type_rule_and_status(analysed, api):
    client = api(analysed.province)
    rows = client.get("/api/v1/findings/?rule=F3&limit=500").json()["results"]
    assert rows and all(r["rule"] == "F3" for r in rows)
    rows = client.get("/api/v1/findings/?type=expired_group").json()["results"]
    assert rows and all(r["type"] == "expired_group" for r in rows)
    assert client.get("/api/v1/findings/?status=accepted").json()["results"] == []
    bad = client.get("/api/v1/findings/?status=maybe")
    assert bad.status_code == 400 and "status" in bad.json()["error"]["fields"]


def test_pages_are_ordered_by_id_and_complete(analysed, api):
    client = api(analysed.province)
    whole = client.get("/api/v1/findings/?limit=500").json()["results"]
    seen, url = [], "/api/v1/findings/?limit=3"
    while url:
        body = client.get(url).json()
        seen += body["results"]
        url = body["next"]
    assert [r["id"] for r in seen] == [r["id"] for r in whole] == sorted(r["id"] for r in whole)
    assert len(whole) == Finding.objects.filter(is_current=True).count() > 3


def test_an_object_outside_the_region_is_404(analysed, api):
    finding = a_finding_of(SIBLING)
    client = api(analysed.county)
    assert client.get(f"/api/v1/findings/{finding.fid}/").status_code == 404
    response = decide(client, finding)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_an_office_in_scope_decides_and_the_audit_row_names_the_token(analysed, api):
    finding = a_finding_of(BUREAU)
    client = api(analysed.county)
    response = decide(client, finding, "reject", "已整改")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    stored = Finding.objects.get(pk=finding.pk)
    assert stored.status == "rejected" and stored.decided_by == analysed.county
    event = AuditEvent.objects.filter(object_kind="findings", object_code=finding.fid).first()
    token = analysed.county.api_tokens.get()
    assert event.action == "finding.rejected" and event.changes["api_token"] == [None, token.id]


def test_a_cadre_reads_their_unit_but_may_not_decide(analysed, api):
    finding = Finding.objects.filter(owner_path=analysed.cadre.unit.path).first()
    assert finding is not None
    client = api(analysed.cadre)
    assert client.get(f"/api/v1/findings/{finding.fid}/").status_code == 200
    response = decide(client, finding)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_the_discipline_office_reads_but_may_not_decide(analysed, api):
    finding = a_finding_of(BUREAU)
    client = api(analysed.discipline)
    assert client.get(f"/api/v1/findings/{finding.fid}/").status_code == 200
    assert decide(client, finding).status_code == 403


def test_deciding_what_someone_else_already_decided_is_409(analysed, api):
    finding = a_finding_of(BUREAU)
    assert decide(api(analysed.province), finding, "accept").status_code == 200
    response = decide(api(analysed.county), finding, "accept")
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert "已采纳" in response.json()["error"]["message"]
    assert decide(api(analysed.county), finding, "done").status_code == 200
    assert decide(api(analysed.county), finding, "reject", "不属实").status_code == 409


@pytest.mark.parametrize(
    "body, field",
    [
        ({"decision": "reject"}, "reason"),
        ({"decision": "maybe"}, "decision"),
        ({"reason": "x"}, "decision"),
        ({"decision": "accept", "reason": 5}, "reason"),
        ({"decision": "accept", "note": "x"}, "note"),
        ({"decision": ["accept"]}, "decision"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_writes_nothing(body, field, analysed, api):
    finding = a_finding_of(BUREAU)
    response = api(analysed.county).post_json(f"/api/v1/findings/{finding.fid}/decision/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert Finding.objects.get(pk=finding.pk).status == "open"


@pytest.mark.parametrize("body", ["{not json", "[1, 2", '"accept"', "null", "\xff\xfe"])
def test_malformed_json_is_400(body, analysed, api):
    finding = a_finding_of(BUREAU)
    response = api(analysed.county).post_json(f"/api/v1/findings/{finding.fid}/decision/", body)
    assert response.status_code == 400 and "error" in response.json()


def test_a_json_body_over_the_limit_is_413(analysed, api, settings):
    settings.JIANFU_API_MAX_JSON_KB = 1
    finding = a_finding_of(BUREAU)
    response = api(analysed.county).post_json(
        f"/api/v1/findings/{finding.fid}/decision/", {"decision": "reject", "reason": "长" * 2000}
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_a_logged_in_browser_without_a_token_cannot_decide(analysed, as_user):
    finding = a_finding_of(BUREAU)
    client = as_user(analysed.county)
    response = client.post(
        f"/api/v1/findings/{finding.fid}/decision/", {"decision": "accept"}, content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_a_departments_reject_becomes_a_request_and_others_carriers_are_403(analysed, api):
    own = a_finding_of(BUREAU)
    client = api(analysed.department)
    response = decide(client, own, "reject", "已自行整改")
    assert response.status_code == 200 and response.json()["status"] == "contested"
    assert decide(client, own, "reject", "再次申请").status_code == 409
    others = Finding.objects.filter(owner__code="330102000000").exclude(owner_path__contains=BUREAU).first()
    if others is not None and client.get(f"/api/v1/findings/{others.fid}/").status_code == 200:
        assert decide(client, others, "accept").status_code == 403


@pytest.mark.parametrize(
    "body", [{"decision": "reject", "reason": "有\x00空字符"}, {"decision": "reject", "reason": "x", "extra\x00": 1}]
)
def test_a_nul_character_is_bad_input_on_every_database(body, analysed, api):
    # PostgreSQL text cannot hold U+0000: refused at the door as 400, never a database error (500).
    finding = a_finding_of(BUREAU)
    response = api(analysed.county).post_json(f"/api/v1/findings/{finding.fid}/decision/", body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid" and "body" in response.json()["error"]["fields"]
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_a_nul_character_in_the_query_is_bad_input(analysed, api):
    response = api(analysed.county).get("/api/v1/findings/?rule=F%00")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
