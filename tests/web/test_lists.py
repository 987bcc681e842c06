"""The lists at /<kind>/: region scope, Chinese search, filters, sorting, keyset pagination without COUNT."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianfu.registry import listing

pytestmark = pytest.mark.django_db

KINDS = ["units", "people", "apps", "accounts", "groups", "forms"]
# (kind, a code inside 上城区, a code inside 拱墅区)
INSIDE_OUTSIDE = [
    ("units", "330102001001", "330105001000"),
    ("people", "P1", "P4"),
    ("apps", "A1", "A3"),
    ("accounts", "AC1", "AC2"),
    ("groups", "G1", "G3"),
    ("forms", "F1", "F2"),
]


def codes(response) -> set[str]:
    return {row.code for row in response.context["page"].rows}


@pytest.mark.parametrize("kind", KINDS)
def test_it_redirects_anonymous_visitors_to_login(client, kind):
    response = client.get(f"/{kind}/")
    assert response.status_code == 302 and response["Location"].startswith(f"/login/?next=/{kind}/")


@pytest.mark.parametrize("kind,inside,outside", INSIDE_OUTSIDE)
def test_it_shows_the_officer_only_their_region(cast, as_user, kind, inside, outside):
    response = as_user(cast.county).get(f"/{kind}/")
    assert response.status_code == 200
    assert inside in codes(response) and outside not in codes(response)


@pytest.mark.parametrize("kind,inside,outside", INSIDE_OUTSIDE)
def test_the_outsider_sees_the_other_side(cast, as_user, kind, inside, outside):
    response = as_user(cast.outsider).get(f"/{kind}/")
    assert outside in codes(response) and inside not in codes(response)


@pytest.mark.parametrize("kind,inside,outside", INSIDE_OUTSIDE)
def test_the_province_sees_both(cast, as_user, kind, inside, outside):
    assert {inside, outside} <= codes(as_user(cast.province).get(f"/{kind}/"))


def test_a_cadre_sees_their_own_unit_only(cast, as_user):
    client = as_user(cast.cadre)
    assert codes(client.get("/people/")) == {"P3"}
    assert codes(client.get("/apps/")) == {"A2"}
    assert codes(client.get("/units/")) == {"330102001000"}


def test_search_finds_simplified_names_from_traditional_input(cast, as_user):
    client = as_user(cast.county)
    assert codes(client.get("/groups/", {"q": "防汛工作羣"})) == {"G1"}
    assert codes(client.get("/apps/", {"q": "民政統計平臺"})) == {"A2"}
    assert codes(client.get("/people/", {"q": "張三"})) == {"P1"}


def test_search_matches_codes_and_stays_in_scope(cast, as_user):
    assert codes(as_user(cast.county).get("/groups/", {"q": "G"})) == {"G1", "G2", "G4"}
    assert codes(as_user(cast.county).get("/groups/", {"q": "拱墅"})) == set()


def test_filters(cast, as_user):
    client = as_user(cast.province)
    assert codes(client.get("/apps/", {"category": "platform"})) == {"A2"}
    assert codes(client.get("/apps/", {"forced": "1"})) == {"A1", "A3"}
    assert codes(client.get("/apps/", {"feature": "截图留痕"})) == {"A3"}
    assert codes(client.get("/groups/", {"nature": "temporary"})) == {"G1", "G3"}
    assert codes(client.get("/groups/", {"demand": "打卡接龙"})) == {"G1"}
    assert codes(client.get("/groups/", {"demands": "0"})) == {"G3"}
    assert codes(client.get("/groups/", {"platform": "钉钉"})) == {"G2", "G4"}
    assert codes(client.get("/units/", {"level": "township"})) == {"330102001000", "330105001000"}
    assert codes(client.get("/forms/", {"frequency": "day"})) == {"F2"}
    assert codes(client.get("/accounts/", {"assessed": "1"})) == {"AC1"}


def test_the_unit_filter_takes_a_subtree_but_never_leaves_the_region(cast, as_user):
    assert codes(as_user(cast.province).get("/people/", {"unit": "330102001000"})) == {"P1", "P2", "P3"}
    assert codes(as_user(cast.county).get("/people/", {"unit": "330105000000"})) == set()


def test_platforms_fold_into_apps(cast, as_user):
    response = as_user(cast.county).get("/platforms/")
    assert response.status_code == 302 and response["Location"] == "/apps/?category=platform"


def test_sorting_by_member_count(cast, as_user):
    rows = as_user(cast.province).get("/groups/", {"sort": "members"}).context["page"].rows
    counts = [g.member_count for g in rows]
    assert counts == sorted(counts, reverse=True)


def test_keyset_pages_walk_every_row_once_without_counting(cast, as_user, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    client = as_user(cast.province)
    seen, url, pages = [], "/units/", 0
    with CaptureQueriesContext(connection) as queries:
        while url:
            response = client.get(url)
            seen += [u.code for u in response.context["page"].rows]
            url = response.context["next_url"] and "/units/" + response.context["next_url"]
            pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 8
    assert seen == sorted(seen)
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_keyset_pages_with_a_nullable_descending_sort(cast, as_user, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    client = as_user(cast.province)
    seen, url = [], "/groups/?sort=messages"
    while url:
        response = client.get(url)
        seen += [g.code for g in response.context["page"].rows]
        url = response.context["next_url"] and "/groups/" + response.context["next_url"]
    assert seen == ["G4", "G1", "G3", "G2"]  # 40, 12, 5, 3 messages


def test_a_mangled_cursor_is_a_bad_request(cast, as_user):
    response = as_user(cast.county).get("/units/", {"after": "not-a-cursor", "page": "9"})
    assert response.status_code == 400 and "翻页链接无效" in response.content.decode()


def test_htmx_requests_get_the_results_fragment(cast, as_user):
    response = as_user(cast.county).get("/groups/", {"q": "防汛"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "防汛工作群" in body
