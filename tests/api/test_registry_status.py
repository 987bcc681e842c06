"""?status= on the registry lists (web and API): active, cancelled or merged today; every status by default."""

import datetime as dt

import pytest

from jianfu.registry.actions import do_end_carriers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(cast):
    """G1 cancelled and G2 merged into G4 (上城区), G3 cancelled (拱墅区), all yesterday; G4 stays active."""
    yesterday = dt.date.today() - dt.timedelta(days=1)
    do_end_carriers("group", ["G1", "G3"], "cancelled", yesterday, acting_user=cast.admin)
    do_end_carriers("group", ["G2"], "merged", yesterday, acting_user=cast.admin, merged_into="G4")
    return cast


def web_codes(client, query: str = "") -> set[str]:
    response = client.get(f"/groups/{query}")
    assert response.status_code == 200
    return {row.code for row in response.context["page"].rows}


def api_codes(client, query: str = "") -> set[str]:
    response = client.get(f"/api/v1/groups/{query}")
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_the_office_in_scope_filters_by_status(ended, as_user, api):
    web, token = as_user(ended.county), api(ended.county)
    for codes in (web_codes, api_codes):
        client = web if codes is web_codes else token
        assert {"G1", "G2", "G4"} <= codes(client)  # no status: every carrier, as before
        assert codes(client, "?status=cancelled") == {"G1"}
        assert codes(client, "?status=merged") == {"G2"}
        active = codes(client, "?status=active")
        assert "G4" in active and not active & {"G1", "G2", "G3"}


def test_an_officer_of_another_region_sees_only_their_own_ended_carriers(ended, as_user, api):
    assert web_codes(as_user(ended.outsider), "?status=cancelled") == {"G3"}
    assert api_codes(api(ended.outsider), "?status=cancelled") == {"G3"}
    assert api_codes(api(ended.outsider), "?status=merged") == set()


def test_a_cadre_sees_no_ended_carrier_of_other_units(ended, as_user, api):
    assert web_codes(as_user(ended.cadre), "?status=cancelled") == set()
    assert api_codes(api(ended.cadre), "?status=merged") == set()


def test_anonymous_visitors_are_sent_to_login_or_refused(ended, client, api):
    response = client.get("/groups/?status=cancelled")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert api(None).get("/api/v1/groups/?status=cancelled").status_code == 401


def test_a_future_cancellation_is_still_active_today(cast, as_user):
    do_end_carriers("group", ["G4"], "cancelled", dt.date.today() + dt.timedelta(days=3), acting_user=cast.admin)
    client = as_user(cast.county)
    assert "G4" in web_codes(client, "?status=active") and "G4" not in web_codes(client, "?status=cancelled")


def test_an_unknown_status_is_ignored_on_the_page_and_refused_by_the_api(ended, as_user, api):
    assert {"G1", "G2", "G4"} <= web_codes(as_user(ended.county), "?status=gone")
    response = api(ended.county).get("/api/v1/groups/?status=gone")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"
    # Units and people have no status: their lists are unchanged.
    assert api(ended.county).get("/api/v1/units/").status_code == 200


@pytest.mark.parametrize(
    "language,label,option",
    [("zh-hans", "状态", "已注销"), ("en", "Status", "Cancelled"), ("zh-hant", "狀態", "已註銷")],
)
def test_the_filter_bar_offers_the_status_in_the_page_language(cast, as_user, language, label, option):
    client = as_user(cast.county)
    client.cookies["django_language"] = language
    for kind in ("apps", "accounts", "groups", "forms"):
        html = client.get(f"/{kind}/").content.decode()
        select = html.split('<select name="status">')[1].split("</select>")[0]
        assert (
            option in select and 'value="merged"' in select and label in html.split('<select name="status">')[0][-80:]
        )
    assert '<select name="status">' not in client.get("/people/").content.decode()


def api_statuses(client, kind: str, query: str = "") -> dict[str, str]:
    response = client.get(f"/api/v1/{kind}/{query}")
    assert response.status_code == 200, response.content
    return {row["code"]: row["status"] for row in response.json()["results"]}


def test_each_carrier_answers_its_status_today(ended, api):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    do_end_carriers("app", ["A1"], "merged", yesterday, acting_user=ended.admin, merged_into="A2")
    do_end_carriers("account", ["AC1"], "cancelled", yesterday, acting_user=ended.admin)
    do_end_carriers("form", ["F1"], "cancelled", dt.date.today() + dt.timedelta(days=3), acting_user=ended.admin)
    token = api(ended.county)
    groups = api_statuses(token, "groups")
    assert (groups["G1"], groups["G2"], groups["G4"]) == ("cancelled", "merged", "active")
    assert api_statuses(token, "apps")["A1"] == "merged" and api_statuses(token, "apps")["A2"] == "active"
    assert api_statuses(token, "accounts")["AC1"] == "cancelled"
    assert api_statuses(token, "forms")["F1"] == "active"  # cancelled in three days: not yet
    # The field and the ?status= filter agree on every kind.
    for kind in ("apps", "accounts", "groups", "forms"):
        for status in ("active", "cancelled", "merged"):
            assert set(api_statuses(token, kind, f"?status={status}").values()) <= {status}
    detail = token.get("/api/v1/groups/G2/").json()
    assert detail["status"] == "merged" and detail["code"] == "G2"
    assert token.get("/api/v1/forms/F1/").json()["status"] == "active"


def test_the_status_of_a_carrier_out_of_scope_is_not_shown(ended, api):
    assert api(ended.outsider).get("/api/v1/groups/G1/").status_code == 404
    assert api(ended.outsider).get("/api/v1/groups/G3/").json()["status"] == "cancelled"
    assert api(None).get("/api/v1/groups/G3/").status_code == 401
    # Units and people carry no status.
    assert "status" not in api(ended.county).get("/api/v1/units/").json()["results"][0]
