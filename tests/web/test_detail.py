"""Detail pages /<kind>/<code>/: 404 outside the region, masked phones, overlapping groups, a person's burden."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianfu.registry.views import overlapping_groups
from jianfu.registry.models import WorkGroup

pytestmark = pytest.mark.django_db

INSIDE_OUTSIDE = [
    ("units", "330102001001", "330105001000"),
    ("people", "P1", "P4"),
    ("apps", "A1", "A3"),
    ("accounts", "AC1", "AC2"),
    ("groups", "G1", "G3"),
    ("forms", "F1", "F2"),
]


@pytest.mark.parametrize("kind,inside,outside", INSIDE_OUTSIDE)
def test_it_redirects_anonymous_visitors(client, cast, kind, inside, outside):
    response = client.get(f"/{kind}/{inside}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("kind,inside,outside", INSIDE_OUTSIDE)
def test_it_shows_an_object_in_the_region(cast, as_user, kind, inside, outside):
    response = as_user(cast.county).get(f"/{kind}/{inside}/")
    assert response.status_code == 200 and response.context["obj"].code == inside


@pytest.mark.parametrize("kind,inside,outside", INSIDE_OUTSIDE)
def test_an_object_outside_the_region_does_not_exist(cast, as_user, kind, inside, outside):
    assert as_user(cast.county).get(f"/{kind}/{outside}/").status_code == 404
    assert as_user(cast.outsider).get(f"/{kind}/{inside}/").status_code == 404


def test_an_unknown_code_is_404(cast, as_user):
    assert as_user(cast.province).get("/groups/NOPE/").status_code == 404


def test_a_group_lists_its_members_with_masked_phones_only(cast, as_user):
    body = as_user(cast.county).get("/groups/G1/").content.decode()
    assert "张三" in body and "李四" in body
    assert "138****5678" in body and "13812345678" not in body and "1234 5678" not in body


def test_a_group_shows_the_groups_sharing_most_members_within_the_region(cast, as_user):
    response = as_user(cast.county).get("/groups/G1/")
    overlaps = response.context["overlaps"]
    # G1 = {P1, P2}; G4 = {P1, P2} shares both; G2 = {P1, P3} shares one; G3 (拱墅区) is out of region.
    assert [(o["code"], o["shared"]) for o in overlaps] == [("G4", 2), ("G2", 1)]
    assert overlaps[0]["jaccard"] == 1.0
    province = as_user(cast.province).get("/groups/G1/").context["overlaps"]
    assert "G3" in {o["code"] for o in province}


def test_overlaps_take_two_queries_whatever_the_group_size(cast):
    # One count over memberships, one fetch of the best candidates in scope: never a query per group.
    group = WorkGroup.objects.get(code="G1")
    with CaptureQueriesContext(connection) as queries:
        overlapping_groups(cast.county, group)
    assert len(queries) == 2


def test_members_out_of_the_viewers_region_are_not_linked(cast, as_user):
    body = as_user(cast.outsider).get("/groups/G3/").content.decode()
    assert "赵六" in body and "张三" in body
    assert "/people/P4/" in body and "/people/P1/" not in body


def test_a_person_shows_their_groups_apps_and_forms(cast, as_user):
    response = as_user(cast.county).get("/people/P3/")
    assert {g.code for g in response.context["groups"]} == {"G2"}
    assert {a.code for a in response.context["apps"]} == {"A2"}
    assert {f.code for f in response.context["forms"]} == {"F1"}
    assert "137****5678" in response.content.decode()


def test_a_persons_groups_stay_in_the_viewers_region(cast, as_user):
    assert {g.code for g in as_user(cast.county).get("/people/P1/").context["groups"]} == {"G1", "G2", "G4"}
    assert {g.code for g in as_user(cast.province).get("/people/P1/").context["groups"]} == {"G1", "G2", "G3", "G4"}


def test_a_unit_shows_its_children_and_counts(cast, as_user):
    response = as_user(cast.county).get("/units/330102000000/")
    assert {u.code for u in response.context["children"]} == {"330102001000", "330102000001"}
    assert as_user(cast.county).get("/units/330102000001/").context["counts"]["groups"] == 2


def test_a_form_lists_its_fields(cast, as_user):
    response = as_user(cast.county).get("/forms/F1/")
    assert [f.name for f in response.context["fields"]] == ["低保户数", "低保人数"]


def test_the_cadre_sees_their_own_unit_and_nothing_above(cast, as_user):
    client = as_user(cast.cadre)
    assert client.get("/people/P3/").status_code == 200
    assert client.get("/people/P1/").status_code == 404
    assert client.get("/groups/G1/").status_code == 404
    assert client.get("/units/330102000000/").status_code == 404


def test_edit_links_follow_permissions(cast, as_user):
    assert "/apps/A1/edit/" in as_user(cast.county).get("/apps/A1/").content.decode()
    assert "/apps/A1/edit/" not in as_user(cast.discipline).get("/apps/A1/").content.decode()
