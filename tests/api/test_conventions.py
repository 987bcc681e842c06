"""Conventions of every /api/ answer: the error object for 404, 405 and 500, languages, the OpenAPI document
and its docs page served locally with no inline script."""

import re

import pytest

from jianfu.api.endpoints import registry

pytestmark = pytest.mark.django_db


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]


def test_an_unknown_path_is_404_with_the_error_object(cast, api):
    # /api/v1/ itself is ninja's root view, which raises Http404 outside its exception handlers (it was a 500).
    for path in ("/api/v1/nothing/", "/api/v2/groups/", "/api/", "/api/v1/"):
        response = api(cast.county).get(path)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_method_not_allowed_is_405_with_the_error_object(cast, api):
    client = api(cast.county)
    for method, path in (("DELETE", "/api/v1/groups/"), ("PUT", "/api/v1/groups/G1/"), ("GET", "/api/v1/precheck/")):
        response = client.generic(method, path)
        assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_an_unexpected_failure_is_500_without_a_traceback(cast, api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    # A defect anywhere below the endpoint (here: the scope door itself) must not reach the client.
    monkeypatch.setattr(registry.scope, "scoped", broken)
    response = api(cast.county).get("/api/v1/groups/")
    assert response.status_code == 500
    body = response.content.decode()
    assert error_of(response)["code"] == "server_error" and "secret" not in body and "Traceback" not in body
    assert "secret" in caplog.text  # the detail goes to the log


def test_messages_follow_accept_language(cast, api):
    client = api(None)
    chinese = error_of(client.get("/api/v1/groups/"))["message"]
    english = error_of(client.get("/api/v1/groups/", HTTP_ACCEPT_LANGUAGE="en"))["message"]
    traditional = error_of(client.get("/api/v1/groups/", HTTP_ACCEPT_LANGUAGE="zh-Hant"))["message"]
    assert chinese == "缺少有效的 API 令牌" and english != chinese and "API" in english
    assert traditional == "缺少有效的 API 權杖"


def test_the_openapi_document_has_no_repeated_key(client):
    """JSON parsers keep the last of two equal keys; the docs page's YAML parser refuses the whole document
    (a 200 from ninja's responses and a "200" from openapi_extra once blanked /api/v1/docs)."""
    import json

    repeated = []

    def pairs_hook(pairs):
        keys = [key for key, _ in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=pairs_hook)
    assert repeated == []


def test_the_openapi_document_lists_every_endpoint_with_its_errors(cast, client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for kind in ("units", "people", "apps", "accounts", "groups", "forms"):
        assert f"/api/v1/{kind}/" in paths and f"/api/v1/{kind}/{{code}}/" in paths
    for path in (
        "/api/v1/findings/",
        "/api/v1/findings/{fid}/decision/",
        "/api/v1/precheck/",
        "/api/v1/imports/",
        "/api/v1/imports/{code}/",
    ):
        assert path in paths
    listing = paths["/api/v1/groups/"]["get"]
    assert {"200", "400", "401", "404", "429", "500"} <= set(listing["responses"])
    assert document["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_uses_local_files_and_no_inline_script(cast, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attributes, _body in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    for source in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert source.startswith("/static/") and client.get(source).status_code == 200
    assert "onload=" not in html and "onclick=" not in html


def test_too_many_files_or_a_broken_multipart_body_is_400(cast, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(cast.county)
    many = {"files": [SimpleUploadedFile(f"{n}.csv", b"a,b\n") for n in range(120)]}
    response = client.post("/api/v1/precheck/", many)
    assert response.status_code == 400 and error_of(response)["code"] == "invalid"
    broken = client.generic(
        "POST",
        "/api/v1/imports/",
        data=b'--x\r\nContent-Disposition: form-data; name="files"',
        content_type="multipart/form-data; boundary=",
    )
    assert broken.status_code == 400 and "error" in broken.json()


def test_the_renderer_writes_dates_and_times_as_before():
    """orjson writes the answers; dates, times and lazy texts must read exactly as DjangoJSONEncoder wrote them."""
    import datetime as dt
    import json

    from django.utils.translation import gettext_lazy

    from jianfu.api.main import ApiJSONEncoder, Utf8JSONRenderer

    data = {
        "at": dt.datetime(2026, 11, 29, 21, 55, 42, 831198, tzinfo=dt.timezone.utc),
        "day": dt.date(2026, 11, 26),
        "time": dt.time(8, 30, 0, 123456),
        "text": gettext_lazy("问题清单"),
        "rows": [{"n": 1, "x": 0.1, "none": None, "中文": "群"}],
    }
    written = Utf8JSONRenderer().render(None, data, response_status=200)
    before = json.dumps(data, cls=ApiJSONEncoder, ensure_ascii=False)
    assert json.loads(written) == json.loads(before)
    assert json.loads(written)["at"] == "2026-11-29T21:55:42.831Z" and "群" in written.decode("utf-8")
