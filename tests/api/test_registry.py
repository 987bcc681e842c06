"""GET /api/v1/<kind>/ and /api/v1/<kind>/<code>/: scope, search, cursor pages, masked phones, ISO dates."""

import pytest

from tests.web.conftest import BUREAU, SIBLING

pytestmark = pytest.mark.django_db

# kind → (a code inside the county office's region, a code only the outsider's region holds)
OBJECTS = {
    "units": ("330102001000", "330105001000"),
    "people": ("P1", "P4"),
    "apps": ("A1", "A3"),
    "accounts": ("AC1", "AC2"),
    "groups": ("G1", "G3"),
    "forms": ("F1", "F2"),
}


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


@pytest.mark.parametrize("kind", OBJECTS)
def test_no_token_is_401_with_the_error_object(kind, cast, api):
    for path in (f"/api/v1/{kind}/", f"/api/v1/{kind}/{OBJECTS[kind][0]}/"):
        response = api(None).get(path)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized" and response.json()["error"]["message"]


@pytest.mark.parametrize("kind", OBJECTS)
def test_a_session_cookie_without_a_token_is_401(kind, cast, as_user):
    client = as_user(cast.county)
    assert client.get(f"/{kind}/").status_code == 200  # the same login works on the HTML page
    assert client.get(f"/api/v1/{kind}/").status_code == 401


@pytest.mark.parametrize("kind", OBJECTS)
def test_a_token_in_scope_sees_its_region_and_nothing_else(kind, cast, api):
    inside, outside = OBJECTS[kind]
    client = api(cast.county)
    listed = codes(client.get(f"/api/v1/{kind}/?limit=500"))
    assert inside in listed and outside not in listed
    assert client.get(f"/api/v1/{kind}/{inside}/").json()["code"] == inside
    missing = client.get(f"/api/v1/{kind}/{outside}/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/{kind}/NO-SUCH-CODE/").status_code == 404


@pytest.mark.parametrize("kind", OBJECTS)
def test_a_token_out_of_scope_gets_404_for_the_object(kind, cast, api):
    inside, outside = OBJECTS[kind]
    client = api(cast.outsider)
    assert client.get(f"/api/v1/{kind}/{inside}/").status_code == 404
    assert inside not in codes(client.get(f"/api/v1/{kind}/?limit=500"))
    assert client.get(f"/api/v1/{kind}/{outside}/").status_code == 200


def test_a_cadre_reads_only_their_own_unit(cast, api):
    client = api(cast.cadre)  # township 330102001000: P3 works there, P1 in the community below it
    assert codes(client.get("/api/v1/people/")) == {"P3"}
    assert client.get("/api/v1/people/P1/").status_code == 404


def test_search_takes_simplified_or_traditional(cast, api):
    client = api(cast.county)
    assert codes(client.get("/api/v1/groups/?q=防汛")) == {"G1"}
    assert codes(client.get("/api/v1/groups/?q=防汛工作羣")) == {"G1"}
    assert codes(client.get("/api/v1/apps/?q=清波通")) == {"A1"}
    assert codes(client.get("/api/v1/groups/?q=拱墅")) == set()  # outside the region even when it matches


def test_people_carry_only_the_masked_phone(cast, api):
    body = api(cast.county).get("/api/v1/people/P1/").json()
    assert body["phone_masked"] == "138****5678"
    text = str(api(cast.county).get("/api/v1/people/?limit=500").json())
    assert "phone_hash" not in text and "13812345678" not in text


def test_objects_carry_codes_and_iso_dates(cast, api):
    client = api(cast.county)
    group = client.get("/api/v1/groups/G1/").json()
    assert group["owner"] == BUREAU and group["owner_person"] == "P1"
    assert group["task_end_date"] == "2024-09-01" and group["nature"] == "temporary"
    assert "T" in group["updated_at"]
    form = client.get("/api/v1/forms/F1/").json()
    assert [f["name"] for f in form["fields"]] == ["低保户数", "低保人数"]
    unit = api(cast.outsider).get(f"/api/v1/units/{SIBLING}/").json()
    assert unit["parent"] == "330100000000" and unit["is_region"] is True


def test_cursor_pages_walk_the_whole_list_once(cast, api):
    client = api(cast.province)
    everything = codes(client.get("/api/v1/units/?limit=500"))
    seen, url, pages = [], "/api/v1/units/?limit=2", 0
    while url:
        body = client.get(url).json()
        assert set(body) == {"results", "next"} and len(body["results"]) <= 2
        seen += [row["code"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert sorted(seen) == sorted(everything) and len(seen) == len(set(seen)) and pages > 2


def test_a_forged_or_foreign_cursor_is_400(cast, api):
    client = api(cast.province)
    next_url = client.get("/api/v1/units/?limit=1").json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    for bad in ("abc", cursor[:-2] + "xx", "eyJ2IjoxfQ"):
        response = client.get(f"/api/v1/units/?cursor={bad}")
        assert response.status_code == 400 and response.json()["error"]["code"] == "bad_cursor"
    # A cursor issued for one list does not page another.
    assert client.get(f"/api/v1/apps/?cursor={cursor}").status_code == 400


@pytest.mark.parametrize("limit", ["0", "501", "x", "-1"])
def test_a_limit_outside_1_to_500_is_400_naming_the_field(limit, cast, api):
    response = api(cast.county).get(f"/api/v1/groups/?limit={limit}")
    assert response.status_code == 400
    assert "limit" in response.json()["error"]["fields"]


def test_lists_never_count(cast, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(cast.county)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/groups/").status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
