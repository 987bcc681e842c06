"""Edits through the do_update_* actions: permissions by role and region, audit rows, history, the chain."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from jianfu.audit.log import verify_chain
from jianfu.audit.models import AppendOnlyError, AuditEvent
from jianfu.registry.actions import do_update_app, do_update_group
from jianfu.registry.models import App, Person, Unit, WorkGroup

pytestmark = pytest.mark.django_db

APP_FORM = {
    "name": "清波通（新版）",
    "category": "app",
    "launch_date": "2023-01-05",
    "last_update": "2024-12-01",
    "registered_users": "1200",
    "monthly_active_users": "30",
    "functions": "信息报送；通知公告",
    "forced_features": "打卡签到",
    "description": "社区事务",
}
EDITS = [
    ("units", "330102001001", {"name": "清波社区居委会", "unit_type": "村（居）委会"}),
    ("people", "P1", {"name": "张三", "post": "书记"}),
    ("apps", "A1", APP_FORM),
    (
        "accounts",
        "AC1",
        {
            "name": "上城发布",
            "platform": "微信公众号",
            "opened_date": "2020-01-01",
            "last_post": "2024-12-01",
            "followers": "6000",
            "posts_30d": "25",
            "assessments": "",
        },
    ),
    (
        "groups",
        "G1",
        {
            "name": "防汛工作群",
            "platform": "微信",
            "nature": "temporary",
            "task_end_date": "2024-09-01",
            "last_active": "2024-10-01",
            "messages_30d": "12",
            "purpose": "防汛抗台",
            "demands": "打卡接龙",
        },
    ),
    (
        "forms",
        "F1",
        {
            "title": "低保对象月报表",
            "respondent_level": "township",
            "frequency": "quarter",
            "channel": "系统",
            "minutes_per_filing": "20",
        },
    ),
]


@pytest.mark.parametrize("kind,code,data", EDITS)
def test_it_redirects_anonymous_visitors(client, cast, kind, code, data):
    assert client.get(f"/{kind}/{code}/edit/")["Location"].startswith("/login/")
    assert client.post(f"/{kind}/{code}/edit/", data)["Location"].startswith("/login/")


@pytest.mark.parametrize("kind,code,data", EDITS)
def test_an_office_officer_edits_in_their_region_and_the_change_is_audited(cast, as_user, kind, code, data):
    client = as_user(cast.county)
    assert client.get(f"/{kind}/{code}/edit/").status_code == 200
    response = client.post(f"/{kind}/{code}/edit/", data)
    assert response.status_code == 302 and response["Location"] == f"/{kind}/{code}/"
    event = AuditEvent.objects.get(object_kind=kind, object_code=code)
    assert event.actor_name == "county" and event.changes and event.action == "update"
    history = client.get(f"/{kind}/{code}/").context["history"]
    assert [e.id for e in history] == [event.id]


@pytest.mark.parametrize("kind,code,data", EDITS)
def test_an_officer_out_of_region_gets_404(cast, as_user, kind, code, data):
    client = as_user(cast.outsider)
    assert client.get(f"/{kind}/{code}/edit/").status_code == 404
    assert client.post(f"/{kind}/{code}/edit/", data).status_code == 404
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("kind,code,data", EDITS)
def test_readers_may_not_edit(cast, as_user, kind, code, data):
    assert as_user(cast.discipline).post(f"/{kind}/{code}/edit/", data).status_code == 403
    assert not AuditEvent.objects.exists()


def test_the_audit_row_holds_old_and_new_values(cast, as_user):
    as_user(cast.county).post("/apps/A1/edit/", APP_FORM)
    changes = AuditEvent.objects.get(object_code="A1").changes
    assert changes["name"] == ["清波通", "清波通（新版）"]
    assert changes["last_update"] == ["2024-05-01", "2024-12-01"]
    assert changes["forced_features"] == [["打卡签到", "积分排名"], ["打卡签到"]]
    app = App.objects.get(code="A1")
    assert app.name == "清波通（新版）" and app.last_update == dt.date(2024, 12, 1)


def test_saving_without_changes_writes_no_audit_row(cast, as_user):
    data = dict(EDITS[1][2], post="网格员")
    as_user(cast.county).post("/people/P1/edit/", data)
    assert not AuditEvent.objects.exists()


def test_a_department_edits_its_own_carriers_only(cast, as_user):
    client = as_user(cast.department)
    assert client.post("/apps/A1/edit/", APP_FORM).status_code == 302  # A1 belongs to 上城区民政局
    assert client.get("/apps/A2/edit/").status_code == 404  # the township's platform is outside its unit
    assert client.get("/units/330102000001/edit/").status_code == 403  # its own unit, but not a carrier


def test_a_cadre_cannot_edit(cast, as_user):
    assert as_user(cast.cadre).get("/apps/A2/edit/").status_code == 403


def test_the_phone_cannot_be_edited(cast, as_user):
    before = Person.objects.get(code="P1").phone_hash
    as_user(cast.county).post(
        "/people/P1/edit/", {"name": "张三", "post": "网格员", "phone_masked": "1", "phone_hash": "x"}
    )
    assert Person.objects.get(code="P1").phone_hash == before


def test_the_action_checks_access_itself(cast):
    app = App.objects.get(code="A1")
    with pytest.raises(PermissionDenied):
        do_update_app(app, {"name": "x"}, acting_user=cast.outsider)
    with pytest.raises(PermissionDenied):
        do_update_app(app, {"name": "x"}, acting_user=cast.discipline)
    assert App.objects.get(code="A1").name == "清波通"


def test_invalid_input_is_refused(cast, as_user):
    response = as_user(cast.county).post("/groups/G1/edit/", dict(EDITS[4][2], nature="forever"))
    assert response.status_code == 200 and response.context["form"].errors
    assert WorkGroup.objects.get(code="G1").nature == "temporary"


def test_audit_rows_are_append_only(cast):
    do_update_group(WorkGroup.objects.get(code="G1"), {"purpose": "防汛抗台"}, acting_user=cast.county)
    event = AuditEvent.objects.get()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(id=event.id).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_chain_reveals_tampering(cast):
    for purpose in ("一", "二", "三"):
        do_update_group(WorkGroup.objects.get(code="G1"), {"purpose": purpose}, acting_user=cast.county)
    assert verify_chain() == []
    first, second, third = AuditEvent.objects.order_by("id")
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:  # what someone with database access could do behind the app's back
        cursor.execute(f"UPDATE {table} SET changes = %s WHERE id = %s", ['{"purpose": ["一", "改"]}', second.id])
    assert verify_chain() == [second.id]


def test_jianfu_audit_verify_exits_1_on_a_tampered_log(cast, capsys):
    from jianfu.cli import main

    do_update_group(WorkGroup.objects.get(code="G1"), {"purpose": "一"}, acting_user=cast.county)
    assert main(["audit", "verify"]) == 0
    event = AuditEvent.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET actor_name = %s WHERE id = %s", ["别人", event.id])
    assert main(["audit", "verify"]) == 1
    assert "篡改" in capsys.readouterr().err


def test_unit_edits_keep_the_tree(cast, as_user):
    as_user(cast.county).post("/units/330102001001/edit/", EDITS[0][2])
    unit = Unit.objects.get(code="330102001001")
    assert unit.name == "清波社区居委会" and unit.path.endswith("/330102001000/330102001001/")
