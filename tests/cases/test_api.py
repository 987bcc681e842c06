"""The case and notice endpoints of /api/v1/: each as an officer in scope, one out of scope, a role that may not,
and no token; 400/403/404/409 as the conventions say; audit rows name the token."""

import io
import json

import docx
import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from jianfu.audit.models import AuditEvent
from jianfu.cases import actions
from jianfu.cases.models import Case, EvidenceFile
from tests.cases.conftest import in_days
from tests.cases.test_views import jpeg_with_gps

pytestmark = pytest.mark.django_db


def post_json(client, url, payload, headers):
    return client.post(url, json.dumps(payload, ensure_ascii=False), content_type="application/json", headers=headers)


def opening(world, **changes):
    return {
        "finding": world.finding.fid,
        "unit": world.bureau.code,
        "deadline": in_days(7).isoformat(),
        "demand": "取消打卡签到",
        **changes,
    }


def test_opening_a_case(world, client, token_of):
    url = "/api/v1/cases/"
    assert post_json(client, url, opening(world), {}).status_code == 401
    assert post_json(client, url, opening(world), token_of(world.department)).status_code == 403
    assert post_json(client, url, opening(world), token_of(world.cadre)).status_code == 403
    assert post_json(client, url, opening(world), token_of(world.outsider)).status_code == 404
    county = token_of(world.county)
    past = post_json(client, url, opening(world, deadline=in_days(-1).isoformat()), county)
    assert past.status_code == 400 and "deadline" in past.json()["error"]["fields"]
    foreign = post_json(client, url, opening(world, unit="330105000000"), county)
    assert foreign.status_code == 400 and "unit" in foreign.json()["error"]["fields"]
    assert post_json(client, url, opening(world, finding="nope"), county).status_code == 404
    assert post_json(client, url, {**opening(world), "extra": 1}, county).status_code == 400
    no_clue = post_json(
        client,
        url,
        {"clue": 99999, "unit": world.bureau.code, "deadline": in_days(3).isoformat(), "demand": "x"},
        county,
    )
    assert no_clue.status_code == 404
    both = post_json(client, url, {**opening(world), "clue": 1}, county)
    assert both.status_code == 400 and "finding" in both.json()["error"]["fields"]
    assert not Case.objects.exists()
    created = post_json(client, url, opening(world), county)
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "open" and Case.objects.get().number == body["number"]
    assert post_json(client, url, opening(world), token_of(world.discipline)).status_code == 409
    event = AuditEvent.objects.get(action="case.opened")
    assert event.changes["api_token"][1] is not None


def test_reading_cases(world, open_case, client, token_of):
    case = open_case()
    number = case.number
    assert client.get("/api/v1/cases/").status_code == 401
    assert client.get("/api/v1/cases/", headers=token_of(world.cadre)).status_code == 403
    assert client.get("/api/v1/cases/", headers=token_of(world.outsider)).json()["results"] == []
    assert client.get(f"/api/v1/cases/{number}/", headers=token_of(world.outsider)).status_code == 404
    for user in (world.county, world.discipline, world.department, world.province):
        rows = client.get("/api/v1/cases/", headers=token_of(user)).json()["results"]
        assert [r["number"] for r in rows] == [number], user
    one = client.get(f"/api/v1/cases/{number}/", headers=token_of(world.department)).json()
    assert one["status"] == "open" and one["overdue"] is False and one["escalated"] is False
    assert [h["action"] for h in one["history"]] == ["opened"]
    assert client.get("/api/v1/cases/?status=closed", headers=token_of(world.county)).json()["results"] == []
    assert client.get("/api/v1/cases/?status=later", headers=token_of(world.county)).status_code == 400


def test_respond_and_verify(world, open_case, client, token_of):
    number = open_case().number
    respond, verify = f"/api/v1/cases/{number}/respond/", f"/api/v1/cases/{number}/verify/"
    bureau = token_of(world.department)
    assert post_json(client, respond, {"text": "x"}, {}).status_code == 401
    assert post_json(client, respond, {"text": "x"}, token_of(world.county)).status_code == 403
    assert post_json(client, respond, {"text": "x"}, token_of(world.outsider)).status_code == 404
    assert post_json(client, verify, {"accepted": True}, token_of(world.county)).status_code == 409
    bad = client.post(respond, {"text": "x", "evidence": [io.BytesIO(b"<html>")]}, headers=bureau)
    assert bad.status_code == 400 and "evidence" in bad.json()["error"]["fields"]
    photo = io.BytesIO(jpeg_with_gps())
    photo.name = "photo.jpg"
    answered = client.post(respond, {"text": "已下线", "evidence": [photo]}, headers=bureau)
    assert answered.status_code == 200 and answered.json()["status"] == "responded"
    assert answered.json()["history"][-1]["evidence"][0]["content_type"] == "image/jpeg"
    with default_storage.open(EvidenceFile.objects.get().stored, "rb") as stored:
        assert b"Zhang San" not in stored.read()
    assert post_json(client, verify, {"accepted": True}, token_of(world.bureau2)).status_code == 403
    assert post_json(client, verify, {"accepted": True}, token_of(world.cadre)).status_code == 403
    assert post_json(client, verify, {"accepted": True}, token_of(world.outsider)).status_code == 404
    no_reason = post_json(client, verify, {"accepted": False, "text": ""}, token_of(world.county))
    assert no_reason.status_code == 400
    refused = post_json(client, verify, {"accepted": False, "text": "仍可打卡"}, token_of(world.county))
    assert refused.status_code == 200 and refused.json()["status"] == "reopened"
    assert post_json(client, respond, {"text": "彻底下线"}, token_of(world.bureau2)).json()["status"] == "responded"
    closed = post_json(client, verify, {"accepted": True, "text": "ok"}, token_of(world.discipline))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert post_json(client, verify, {"accepted": True}, token_of(world.county)).status_code == 409
    assert post_json(client, respond, {"text": "x"}, bureau).status_code == 409


def test_notices(world, open_case, client, token_of):
    case = open_case()
    url = "/api/v1/notices/"
    payload = {"title": "关于一起问题的通报", "cases": [case.number]}
    assert post_json(client, url, payload, {}).status_code == 401
    assert post_json(client, url, payload, token_of(world.department)).status_code == 403
    assert post_json(client, url, payload, token_of(world.outsider)).status_code == 404
    assert post_json(client, url, {"title": "x", "cases": []}, token_of(world.county)).status_code == 400
    created = post_json(client, url, payload, token_of(world.county))
    assert created.status_code == 201
    code = created.json()["id"]
    for suffix in ("docx", "pdf"):
        assert client.get(f"/api/v1/notices/{code}.{suffix}").status_code == 401
        assert client.get(f"/api/v1/notices/{code}.{suffix}", headers=token_of(world.outsider)).status_code == 404
        assert client.get(f"/api/v1/notices/{code}.{suffix}", headers=token_of(world.department)).status_code == 403
    word = client.get(f"/api/v1/notices/{code}.docx", headers=token_of(world.discipline))
    assert "清波通" in "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    pdf = client.get(f"/api/v1/notices/{code}.pdf", headers=token_of(world.county))
    assert "清波通" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")


def test_the_openapi_document_lists_the_case_endpoints(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/cases/",
        "/api/v1/cases/{number}/",
        "/api/v1/cases/{number}/respond/",
        "/api/v1/cases/{number}/verify/",
        "/api/v1/notices/",
        "/api/v1/notices/{code}.docx",
        "/api/v1/notices/{code}.pdf",
    ):
        assert path in paths, path
    assert "multipart/form-data" in paths["/api/v1/cases/{number}/respond/"]["post"]["requestBody"]["content"]


def test_a_verification_by_the_responder_is_refused(world, open_case, client, token_of):
    case = actions.do_respond_case(open_case(), "done", acting_user=world.department)
    world.department.role = "discipline"
    world.department.save()
    response = post_json(client, f"/api/v1/cases/{case.number}/verify/", {"accepted": True}, token_of(world.department))
    assert response.status_code == 403
