"""The clue endpoints: anonymous filing and tracking without a token, triage lists with one."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jianfu.api.tokens import do_create_token
from jianfu.clues import actions
from jianfu.clues.models import Clue
from tests.cast import TOWNSHIP
from tests.clues.helpers import GPS_MAKE, pdf_bytes, photo_with_gps, zip_named_jpg

GOOD = {"category": "F3", "region": TOWNSHIP, "description": "公众号转发量每周排名通报", "carrier": "上城发布"}


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {do_create_token(user, acting_user=user)[1]}"}


def test_anyone_files_with_evidence_and_tracks_it(cast, client, settings):
    response = client.post("/api/v1/clues/", {**GOOD, "evidence": [SimpleUploadedFile("p.jpg", photo_with_gps())]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"receipt", "status", "due_on"} and body["status"] == "new"
    clue = Clue.objects.get()
    for path in settings.JIANFU_CLUE_FILES.glob("*"):
        assert GPS_MAKE.encode() not in path.read_bytes()
    actions.do_reply(clue, "请问是哪个公众号？", acting_user=cast.county)
    tracked = client.get(f"/api/v1/clues/track/{body['receipt']}/")
    assert tracked.status_code == 200
    data = tracked.json()
    assert data["status"] == "handling"
    assert [(m["from"], m["text"]) for m in data["messages"]] == [("handler", "请问是哪个公众号？")]
    assert "county" not in tracked.content.decode()
    missing = client.get("/api/v1/clues/track/AAAA-BBBB-CCCC-DDDD-EEEE/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("fields", "files", "status", "field"),
    [
        ({"description": ""}, [], 400, "description"),
        ({"region": "nowhere"}, [], 400, "region"),
        ({"category": "F7"}, [], 400, "category"),
        ({}, [("x.jpg", zip_named_jpg())], 400, "evidence"),
        ({}, [("x.pdf", pdf_bytes(javascript=True))], 400, "evidence"),
        ({}, [("x.jpg", b"\xff\xd8\xff" + b"\x00" * (11 * 1024 * 1024))], 413, "evidence"),
    ],
)
def test_bad_input_gets_the_error_object(cast, client, fields, files, status, field):
    data = {**GOOD, **fields, "evidence": [SimpleUploadedFile(n, b) for n, b in files]}
    response = client.post("/api/v1/clues/", data)
    assert response.status_code == status
    error = response.json()["error"]
    assert field in error["fields"] and error["fields"][field][0]
    assert not Clue.objects.exists()


def test_a_50_mb_body_is_413(cast, client):
    response = client.post(
        "/api/v1/clues/",
        b"x",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024 + 2 * 1024 * 1024),
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_a_flood_is_429_but_a_hotline_token_is_not_held_by_the_sender_limit(cast, client, settings):
    settings.JIANFU_CLUE_POSTS_PER_HOUR = 2
    codes = [client.post("/api/v1/clues/", GOOD).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    limited = client.post("/api/v1/clues/", GOOD)
    assert limited.json()["error"]["code"] == "rate_limited" and int(limited["Retry-After"]) > 0
    hotline = bearer(cast.county)
    assert [client.post("/api/v1/clues/", GOOD, **hotline).status_code for _ in range(3)] == [201] * 3


def test_lists_for_officers_of_the_region(cast, client):
    filed, _ = actions.do_file_clue(category="F1", region_code=TOWNSHIP, description="打卡接龙", contact="13900001111")
    listing = client.get("/api/v1/clues/", **bearer(cast.county))
    assert listing.status_code == 200
    body = listing.json()
    assert [c["id"] for c in body["results"]] == [filed.pk] and body["next"] is None
    assert "1111" not in listing.content.decode() and "contact" not in body["results"][0]
    detail = client.get(f"/api/v1/clues/{filed.pk}/", **bearer(cast.discipline))
    assert detail.status_code == 200 and detail.json()["region"] == TOWNSHIP
    assert client.get(f"/api/v1/clues/{filed.pk}/", **bearer(cast.outsider)).status_code == 404
    assert client.get("/api/v1/clues/", **bearer(cast.outsider)).json()["results"] == []
    assert client.get("/api/v1/clues/", **bearer(cast.department)).status_code == 403
    assert client.get(f"/api/v1/clues/{filed.pk}/", **bearer(cast.cadre)).status_code == 403
    assert client.get("/api/v1/clues/").status_code == 401


def test_cursor_pages(cast, client):
    for n in range(3):
        actions.do_file_clue(category="F5", region_code=TOWNSHIP, description=f"僵尸群 {n}")
    headers = bearer(cast.county)
    first = client.get("/api/v1/clues/?limit=2", **headers).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"], **headers).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert client.get("/api/v1/clues/?status=open&category=F5", **headers).status_code == 200


def test_the_schema_lists_the_clue_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/clues/", "/api/v1/clues/track/{receipt}/", "/api/v1/clues/{clue_id}/"} <= set(paths)
    assert not paths["/api/v1/clues/"]["post"].get("security")
