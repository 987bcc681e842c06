"""An approved filing enters its carrier through the registry's action: the object, its members or fields, and
one audit row naming the filing."""

from __future__ import annotations

import pytest

from jianfu.audit.models import AuditEvent
from jianfu.registry.actions import do_create_carrier
from jianfu.registry.models import Form, Unit, WorkGroup

pytestmark = pytest.mark.django_db


def test_a_group_is_entered_with_its_members_and_an_audit_row(cast):
    owner = Unit.objects.get(code="330102000001")
    group = do_create_carrier(
        "groups",
        {"code": "G9", "name": "养老工作群", "owner": owner, "platform": "微信"},
        acting_user=cast.county,
        members=["P1", "P2", "NOBODY"],
        provenance={"filing": [None, "330102-GRP-2026-0001"]},
    )
    group = WorkGroup.objects.get(code="G9")
    assert group.member_count == 2
    assert sorted(group.memberships.values_list("person__code", flat=True)) == ["P1", "P2"]
    event = AuditEvent.objects.get(object_kind="groups", object_code="G9", action="create")
    assert event.actor == cast.county and event.unit_path == owner.path
    assert event.changes == {"name": [None, "养老工作群"], "filing": [None, "330102-GRP-2026-0001"]}


def test_a_form_is_entered_with_its_fields_in_order(cast):
    issuer = Unit.objects.get(code="330102000001")
    do_create_carrier(
        "forms",
        {"code": "F9", "title": "养老季报", "issuer": issuer, "frequency": "quarter"},
        acting_user=cast.county,
        fields=[{"name": "人数", "unit": "人"}, {"name": "金额"}],
    )
    form = Form.objects.get(code="F9")
    assert list(form.fields.order_by("position").values_list("position", "name", "unit")) == [
        (1, "人数", "人"),
        (2, "金额", ""),
    ]
    assert AuditEvent.objects.get(object_code="F9", action="create").changes["name"] == [None, "养老季报"]
