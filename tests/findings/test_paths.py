"""The finding ↔ unit path table behind the region scope of findings, and the findings list's keyset pages."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as live_apps
from django.db import connection
from django.test import override_settings

from jianfu.accounts import scope
from jianfu.accounts.models import Role
from jianfu.findings.models import AnalysisRun, Finding, FindingPath
from jianfu.findings.running import run_and_store, store_findings
from tests.cast import BUREAU, COMMUNITY, TOWNSHIP, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(cast):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    cast.community_cadre = make_user("community-cadre", COMMUNITY, Role.CADRE)
    cast.bureau_cadre = make_user("bureau-cadre", BUREAU, Role.CADRE)
    return cast


def table_paths() -> dict[int, set[str]]:
    rows: dict[int, set[str]] = {}
    for finding_id, path in FindingPath.objects.values_list("finding_id", "path"):
        rows.setdefault(finding_id, set()).add(path)
    return rows


def column_paths() -> dict[int, set[str]]:
    return {pk: {p for p in paths.split("|") if p} for pk, paths in Finding.objects.values_list("id", "scope_paths")}


def scoped_ids(user, settings, baseline: bool) -> set[str]:
    with override_settings(JIANFU_BASELINE_QUERIES=baseline):
        return set(scope.scoped(user, Finding).values_list("fid", flat=True))


def test_the_table_holds_exactly_the_paths_each_finding_names(analysed):
    assert Finding.objects.exists()
    assert table_paths() == column_paths()
    assert any(len(paths) > 1 for paths in table_paths().values())  # some finding spans two units


def test_the_table_follows_a_finding_whose_units_change_and_one_that_goes_away(analysed):
    cross = Finding.objects.get(type="duplicate_groups")
    run = AnalysisRun.objects.create(actor="test", as_of=dt.date(2026, 11, 27))
    # The next run reports the same finding with only its owner's unit, and no longer reports another one.
    gone = Finding.objects.exclude(pk=cross.pk).filter(status="open").first()
    kept = [f for f in Finding.objects.exclude(pk=gone.pk)]
    items = []
    for f in kept:
        item = {
            "id": f.fid,
            "type": f.type,
            "rule": f.rule,
            "action": f.action,
            "items": f.items,
            "score": f.score,
            "evidence": f.evidence,
            "hours_saved_per_month": f.hours_saved_per_month,
            "reason": f.reason,
            "owner_code": f.owner.code if f.owner else None,
        }
        if f.pk == cross.pk:
            item["type"] = "idle_group"  # an item kind whose carriers are groups: same codes, one owner
            item["items"] = ["G4"]  # the community's own group
        items.append(item)
    store_findings(run, items)
    assert not FindingPath.objects.filter(finding_id=gone.pk).exists()
    assert table_paths() == column_paths()
    assert table_paths()[cross.pk] == {Finding.objects.get(pk=cross.pk).owner_path}


def test_a_finding_spanning_two_units_is_seen_by_both_and_by_their_common_office(analysed, settings):
    cross = Finding.objects.get(type="duplicate_groups")
    paths = table_paths()[cross.pk]
    assert len(paths) == 2 and any(BUREAU in p for p in paths) and any(COMMUNITY in p for p in paths)
    for user in (
        analysed.department,
        analysed.county,
        analysed.province,
        analysed.community_cadre,
        analysed.bureau_cadre,
    ):
        assert cross.fid in scoped_ids(user, settings, baseline=False), user.username
    assert cross.fid not in scoped_ids(analysed.outsider, settings, baseline=False)


def test_a_cadre_sees_findings_naming_their_own_unit_only(analysed, settings):
    cadre = analysed.cadre  # the township's cadre: the community below it is not theirs
    seen = scoped_ids(cadre, settings, baseline=False)
    township = f"/{TOWNSHIP}/"
    for finding in Finding.objects.all():
        names_township = any(p.endswith(township) for p in table_paths().get(finding.pk, ()))
        assert (finding.fid in seen) == names_township, finding.fid


def test_the_table_gives_every_user_the_old_substring_scope(analysed, settings):
    users = [
        analysed.admin,
        analysed.province,
        analysed.county,
        analysed.department,
        analysed.discipline,
        analysed.cadre,
        analysed.outsider,
        analysed.community_cadre,
        analysed.bureau_cadre,
    ]
    for user in users:
        assert scoped_ids(user, settings, baseline=False) == scoped_ids(user, settings, baseline=True), user.username


def test_outside_the_region_a_finding_answers_404_on_the_page_and_the_api(analysed, as_user):
    cross = Finding.objects.get(type="duplicate_groups")
    assert as_user(analysed.outsider).get(f"/findings/{cross.fid}/").status_code == 404
    assert as_user(analysed.department).get(f"/findings/{cross.fid}/").status_code == 200


def test_the_scope_reads_the_path_table_through_an_index(analysed):
    where = str(scope.scoped(analysed.county, Finding).query).split(" WHERE ", 1)[1]
    assert FindingPath._meta.db_table in where and "scope_paths" not in where
    with connection.cursor() as cursor:
        path = analysed.county.unit.path
        if connection.vendor == "postgresql":
            # With real statistics (the analysis runs ANALYZE on the table) the planner may rather walk the small
            # table's (finding, path) unique index with a filter. Dropped inside the test's transaction (rolled
            # back), with sequential scans off, only an index that serves LIKE 'p%' keeps the plan off a seq scan.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks left pending
            cursor.execute(f"ALTER TABLE {FindingPath._meta.db_table} DROP CONSTRAINT findings_path_unique")
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                f"EXPLAIN SELECT finding_id FROM {FindingPath._meta.db_table} WHERE path LIKE %s", [path + "%"]
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
        else:
            cursor.execute(
                f"EXPLAIN QUERY PLAN SELECT finding_id FROM {FindingPath._meta.db_table} "
                "WHERE path >= %s AND path < %s",
                [path, path + "\U0010ffff"],
            )
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "findings_path_prefix" in plan, plan


def test_the_migration_fills_the_table_from_existing_findings(analysed):
    expected = table_paths()
    FindingPath.objects.all().delete()
    migration = importlib.import_module("jianfu.findings.migrations.0003_finding_paths")
    with connection.cursor() as cursor:  # the part of a schema editor the migration uses (one works in SQLite only
        editor = SimpleNamespace(connection=connection, execute=cursor.execute)  # outside a transaction)
        migration.fill_paths(live_apps, editor)
    assert table_paths() == expected == column_paths()


# -- keyset pages of the findings list -----------------------------------------------------------------------


def walk(client, url: str) -> list[str]:
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [f.fid for f in response.context["page"]]
        url = response.context["next_url"] and "/findings/" + response.context["next_url"]
        pages += 1
        assert pages < 1000
    return seen


def test_findings_pages_have_no_duplicate_and_no_gap_across_ties(analysed, as_user, monkeypatch):
    from jianfu.registry import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    # Ties: many findings with the same saving, so a page boundary falls inside a run of equal keys.
    Finding.objects.filter(pk__in=list(Finding.objects.values_list("pk", flat=True)[::2])).update(
        hours_saved_per_month=7.5
    )
    client = as_user(analysed.province)
    seen = walk(client, "/findings/?current=0")
    assert len(seen) == len(set(seen)) == Finding.objects.count()
    order = list(Finding.objects.order_by("-hours_saved_per_month", "-id").values_list("fid", flat=True))
    assert seen == order
    # In a narrower region the walk gives that region's findings exactly.
    county = walk(as_user(analysed.department), "/findings/?current=0")
    assert sorted(county) == sorted(scope.scoped(analysed.department, Finding).values_list("fid", flat=True))


def test_findings_pages_count_nothing_and_refuse_a_forged_cursor(analysed, as_user, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from jianfu.registry import listing

    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    client = as_user(analysed.province)
    client.get("/findings/")  # the first page fills the cards' cache
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/findings/")
        second = client.get("/findings/" + first.context["next_url"])
    assert first.status_code == second.status_code == 200
    assert second.context["total"] is None  # the cards are on the first page only
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert client.get("/findings/?after=forged").status_code == 400


def test_the_sole_root_office_reads_no_path_table_and_sees_the_same(analysed, settings):
    """Under the one root every path lies in scope: the filter is skipped (SQLite collected a province's million
    ids for it), and the root office still sees exactly what the substring scope gave it."""
    from jianfu.registry.models import Unit

    assert FindingPath._meta.db_table not in str(scope.scoped(analysed.province, Finding).query)
    assert scoped_ids(analysed.province, settings, False) == scoped_ids(analysed.province, settings, True)
    assert FindingPath._meta.db_table in str(scope.scoped(analysed.county, Finding).query)
    # A second root (another province's units imported beside): the root office's filter is back.
    Unit.objects.create(code="440000000000", name="广东省", level="province", path="/440000000000/")
    assert FindingPath._meta.db_table in str(scope.scoped(analysed.province, Finding).query)
    assert scoped_ids(analysed.province, settings, False) == scoped_ids(analysed.province, settings, True)
