"""What one API list page costs: a few queries whatever its size, and the same answer as the objects give."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jianfu.api.models import ApiToken
from jianfu.api.tokens import digest_of, do_create_token, find_live_token

LISTS = ("units", "people", "apps", "accounts", "groups", "forms", "findings")
# The token with its user and unit; the rate count (its transaction: the row lock, dropping hits older than the
# window, their sum, the new hit, and on PostgreSQL the relaxed commit); the page. None of them per row.
MOST_QUERIES = 9


def _queries(client, path: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


@pytest.mark.parametrize("kind", LISTS)
def test_a_list_page_costs_the_same_few_queries_whatever_its_size(kind, analysed, api):
    from jianfu.registry.models import Form, PublicAccount

    for model, code in ((PublicAccount, "AC1"), (Form, "F1")):  # the cast's only ones in the county: a page needs two
        second = model.objects.get(code=code)
        second.pk, second.code = None, code + "B"
        second.save()
    client = api(analysed.county)
    client.get(f"/api/v1/{kind}/?limit=1")  # the token's first use writes its last use once; not a page's cost
    one, first = _queries(client, f"/api/v1/{kind}/?limit=1")
    many, page = _queries(client, f"/api/v1/{kind}/?limit=500")
    assert len(page["results"]) > 1, "the cast must have several rows of each kind for this test to mean anything"
    following = first["next"].split("/api/v1/", 1)[1]
    after_cursor, _ = _queries(client, f"/api/v1/{following}")
    assert one == many == after_cursor <= MOST_QUERIES


@pytest.mark.parametrize("kind", LISTS)
def test_list_rows_are_the_objects_as_their_own_endpoint_gives_them(kind, analysed, api):
    """List pages read columns, not objects: every row must still equal the object's own answer."""
    client = api(analysed.county)
    rows = client.get(f"/api/v1/{kind}/?limit=500").json()["results"]
    assert rows
    key = "id" if kind == "findings" else "code"
    for row in rows[:40]:
        detail = client.get(f"/api/v1/{kind}/{row[key]}/").json()
        if kind == "forms":
            detail.pop("fields")
        assert row == detail


def test_the_token_look_up_gives_whole_objects_as_the_orm_does(cast):
    token, raw = do_create_token(cast.county, acting_user=None)
    found = find_live_token(digest_of(raw), token.created_at)
    expected = ApiToken.objects.select_related("user", "user__unit").get(pk=token.pk)
    for mine, theirs in ((found, expected), (found.user, expected.user), (found.user.unit, expected.user.unit)):
        assert type(mine) is type(theirs) and not mine._state.adding
        assert {k: v for k, v in vars(mine).items() if k != "_state"} == {
            k: v for k, v in vars(theirs).items() if k != "_state"
        }
    with CaptureQueriesContext(connection) as captured:
        assert found.user.unit.path == expected.user.unit.path and found.user_id == cast.county.id
    assert not captured.captured_queries  # user and unit came with the token


def test_a_user_without_a_unit_comes_with_no_unit_and_no_extra_query(cast):
    assert cast.admin.unit_id is None
    token, raw = do_create_token(cast.admin, acting_user=None)
    found = find_live_token(digest_of(raw), token.created_at)
    with CaptureQueriesContext(connection) as captured:
        assert found.user.username == cast.admin.username and found.user.unit is None
    assert not captured.captured_queries


def test_the_token_look_up_refuses_revoked_and_expired_tokens(cast):
    import datetime as dt

    from django.utils import timezone

    token, raw = do_create_token(cast.county, acting_user=None)
    assert find_live_token(digest_of(raw), token.expires_at - dt.timedelta(seconds=1)) is not None
    assert find_live_token(digest_of(raw), token.expires_at) is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert find_live_token(digest_of(raw), timezone.now()) is None
    assert find_live_token(digest_of("jf_unknown"), timezone.now()) is None


def test_an_analysis_leaves_the_planner_statistics_of_findings_fresh(analysed):
    """Without them PostgreSQL hashed every finding path for each findings page until autovacuum came by."""
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are refreshed on PostgreSQL")
    from jianfu.findings.models import Finding, FindingPath

    with connection.cursor() as cursor:
        for model in (Finding, FindingPath):
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [model._meta.db_table])
            assert cursor.fetchone()[0] == model.objects.count() > 0
