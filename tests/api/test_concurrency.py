"""Two clients deciding one finding at once over the API: exactly one applies, the other gets 409 (PostgreSQL,
two threads with their own connections; SQLite serialises writers, so it cannot show the race)."""

import datetime as dt

import pytest
from django.test import Client

from jianfu.accounts.models import Role
from jianfu.api.tokens import do_create_token
from jianfu.audit.models import AuditEvent
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store
from tests.concurrency import at_once, require_postgresql
from tests.web.conftest import BUREAU, COUNTY, _user, build_cast


@pytest.fixture
def committed(transactional_db, county_folder):
    require_postgresql()
    cast = build_cast(county_folder)
    cast.county2 = _user("county2", COUNTY, Role.OFFICE)
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    return cast


def test_two_decisions_at_once_one_wins_one_gets_409(committed, settings):
    settings.JIANFU_API_RATE_PER_MINUTE = 1000
    finding = Finding.objects.filter(owner__code=BUREAU).order_by("fid").first()
    tokens = [do_create_token(user, acting_user=None)[1] for user in (committed.county, committed.county2)]

    def decide(token: str):
        return lambda: (
            Client()
            .post(
                f"/api/v1/findings/{finding.fid}/decision/",
                {"decision": "accept", "reason": "属实"},
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            .status_code
        )

    statuses = at_once(*(decide(token) for token in tokens))
    assert sorted(statuses) == [200, 409]
    assert Finding.objects.get(pk=finding.pk).status == "accepted"
    assert AuditEvent.objects.filter(object_code=finding.fid, action="finding.accepted").count() == 1
