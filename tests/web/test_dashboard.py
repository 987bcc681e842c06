"""The home dashboard: the viewer's region counted, the heaviest units, recent imports, chart data."""

import json

import pytest

pytestmark = pytest.mark.django_db


def chart_data(response) -> dict:
    body = response.content.decode()
    start = body.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">'
    )
    return json.loads(body[start : body.index("</script>", start)])


def counts(response) -> dict:
    return {key: value for key, _label, value in response.context["cards"]}


def test_it_redirects_anonymous_visitors(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_it_counts_the_officers_region(cast, as_user):
    response = as_user(cast.county).get("/")
    assert response.status_code == 200
    assert counts(response) == {
        "units": 4,
        "people": 3,
        "apps": 1,
        "platforms": 1,
        "accounts": 1,
        "groups": 3,
        "forms": 1,
    }


def test_the_outsider_counts_their_own_region(cast, as_user):
    assert counts(as_user(cast.outsider).get("/")) == {
        "units": 2,
        "people": 1,
        "apps": 1,
        "platforms": 0,
        "accounts": 1,
        "groups": 1,
        "forms": 1,
    }


def test_the_province_counts_everything(cast, as_user):
    assert counts(as_user(cast.province).get("/"))["groups"] == 4


def test_units_with_the_most_groups_per_cadre(cast, as_user):
    units = as_user(cast.county).get("/").context["units"]
    township = next(u for u in units if u["code"] == "330102001000")
    # P1 is in G1, G2, G3, G4; P2 in G1, G4; P3 in G2: 7 memberships over 3 cadres (G3 is counted at the
    # province only, since 拱墅区's group is outside 上城区 but its member P1 is inside).
    assert township["people"] == 3 and township["memberships"] == 7 and township["groups_per_cadre"] == 2.33
    assert units[0]["code"] == "330102001000"


def test_the_charts_get_their_data_as_json(cast, as_user):
    data = chart_data(as_user(cast.county).get("/"))
    assert data["kinds"]["values"] == [1, 1, 1, 3, 1]
    assert {p["name"]: p["value"] for p in data["platforms"]} == {"微信": 1, "钉钉": 2}


def test_recent_imports_follow_scope(cast, as_user):
    # The command-line import of the cast has no scope: the whole installation's, seen from the root.
    assert as_user(cast.province).get("/").context["batches"]
    assert not as_user(cast.county).get("/").context["batches"]


def test_assets_are_local(cast, as_user):
    body = as_user(cast.county).get("/").content.decode()
    assert "/static/vendor/echarts.min.js" in body and "/static/vendor/htmx.min.js" in body
    assert "http://" not in body and "https://" not in body


def test_the_cadre_sees_their_own_unit(cast, as_user):
    assert counts(as_user(cast.cadre).get("/")) == {
        "units": 1,
        "people": 1,
        "apps": 0,
        "platforms": 1,
        "accounts": 0,
        "groups": 0,
        "forms": 0,
    }


def test_the_administrator_sees_the_whole_installation(cast, as_user):
    response = as_user(cast.admin).get("/")
    assert counts(response)["groups"] == 4 and response.context["region"] is None
    # One province holding one city: the comparison descends to the city's counties.
    assert {u["code"] for u in response.context["units"]} == {"330102000000", "330105000000"}


def test_every_officer_sees_the_burden_of_their_own_region(cast, as_user):
    import datetime as dt

    from jianfu.findings.models import RunRollup
    from jianfu.findings.running import run_and_store

    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    assert as_user(cast.province).get("/").context["burden"]["p50"] is not None
    assert 'id="burden"' in as_user(cast.admin).get("/").content.decode()
    for user in (cast.county, cast.outsider, cast.cadre):
        response = as_user(user).get("/")
        own = RunRollup.objects.get(unit_code=user.unit.code)
        burden = response.context["burden"]
        assert (burden["p50"], burden["p90"], burden["people"]) == (own.p50, own.p90, own.people)
        assert 'id="burden"' in response.content.decode() and 'id="chart-trend"' in response.content.decode()
    # The outsider's county holds one cadre; the county of the office three: the figures are not the province's.
    assert as_user(cast.outsider).get("/").context["burden"]["people"] == 1
    assert as_user(cast.county).get("/").context["burden"]["people"] == 3


def test_the_removable_hours_say_what_share_of_the_burden_they_are(cast, as_user):
    import datetime as dt

    from jianfu.findings.running import run_and_store

    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    response = as_user(cast.admin).get("/")
    burden = response.context["burden"]
    assert burden["total"] > 0 and 0 <= burden["hours_saved"] <= burden["total"]
    assert burden["saved_percent"] == 100.0 * burden["hours_saved"] / burden["total"]
    page = response.content.decode()
    assert "去重后" in page and 'id="burden-saving-share"' in page
    assert f"占本地区负担的 {burden['saved_percent']:.0f}%" in page


def test_memberships_of_ended_groups_do_not_count(cast, as_user):
    """Memberships are counted per person, less those of groups no longer active (registry/dashboard.py)."""
    import datetime as dt

    from jianfu.registry.models import WorkGroup

    WorkGroup.objects.filter(code="G2").update(status="cancelled", status_date=dt.date(2026, 1, 1))
    units = as_user(cast.county).get("/").context["units"]
    township = next(u for u in units if u["code"] == "330102001000")
    # Without G2 (members P1 and P3): P1 in G1, G3, G4; P2 in G1, G4.
    assert township["people"] == 3 and township["memberships"] == 5
    # The province office covers every unit and counts without a region filter: every active membership.
    from jianfu.registry.models import Membership

    province_rows = as_user(cast.province).get("/").context["units"]
    active = Membership.objects.exclude(group__code="G2").count()
    assert sum(u["memberships"] for u in province_rows) == active == Membership.objects.count() - 2


def test_the_root_office_and_the_administrator_cover_every_unit(cast):
    from jianfu.accounts import scope
    from jianfu.registry.models import Unit

    assert scope.covers_every_unit(cast.admin) and scope.covers_every_unit(cast.province)
    assert not scope.covers_every_unit(cast.county) and not scope.covers_every_unit(cast.cadre)
    Unit.objects.create(code="440000000000", name="广东省", level="province", path="/440000000000/")
    assert not scope.covers_every_unit(cast.province) and scope.covers_every_unit(cast.admin)


def test_threads_asking_for_the_same_sums_compute_them_once():
    import threading
    import uuid

    from jianfu.registry.dashboard import _cached

    key, calls, results = f"test:{uuid.uuid4()}", [], []
    started = threading.Barrier(8)
    computing = threading.Event()

    def compute():
        calls.append(1)
        computing.set()
        threading.Event().wait(0.2)  # long enough for the other threads to arrive and queue on the key
        return {"n": 42}

    def ask():
        started.wait()
        results.append(_cached(key, compute))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert computing.is_set() and len(calls) == 1 and results == [{"n": 42}] * 8
