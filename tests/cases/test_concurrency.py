"""Two verifiers acting on one case at once: real concurrent transactions on PostgreSQL (threads, each with its
own connection). Only one verification applies; the other sees the new state and is refused."""

from __future__ import annotations

import pytest

from jianfu.accounts.models import Role
from jianfu.cases import actions
from jianfu.cases.models import Case, CaseEvent
from jianfu.audit.models import AuditEvent
from jianfu.findings.models import Finding
from tests.cases.conftest import in_days, own_finding
from tests.cast import BUREAU, COUNTY, build_cast, make_user
from tests.concurrency import at_once, hold_the_first_lock, require_postgresql
from jianfu.findings.running import run_and_store
from jianfu.registry.models import Unit

import datetime as dt


@pytest.fixture
def responded_case(transactional_db, county_folder):
    require_postgresql()
    cast = build_cast(county_folder)
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    cast.county2 = make_user("county2", COUNTY, Role.OFFICE)
    case = actions.do_open_case(
        own_finding(), Unit.objects.get(code=BUREAU), "取消打卡", in_days(5), acting_user=cast.county
    )
    cast.case = actions.do_respond_case(case, "已下线", acting_user=cast.department)
    return cast


@pytest.fixture
def held_lock(monkeypatch):
    """The first verifier to lock the case keeps the lock until PostgreSQL shows the other one waiting for it."""
    hold_the_first_lock(monkeypatch, actions, "_lock")


def verify(user, accepted, text=""):
    return lambda: actions.do_verify_case(Case.objects.get(number=number[0]), accepted, text, acting_user=user)


number = [""]


def test_two_verifiers_accepting_at_once_close_the_case_once(responded_case, held_lock):
    number[0] = responded_case.case.number
    outcomes = at_once(verify(responded_case.county, True), verify(responded_case.discipline, True))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], actions.IllegalTransition), outcomes
    case = Case.objects.get(number=number[0])
    assert case.status == "closed"
    assert CaseEvent.objects.filter(case=case, action="accepted").count() == 1
    assert AuditEvent.objects.filter(object_code=case.number, action="case.accepted").count() == 1
    assert AuditEvent.objects.filter(object_code=case.finding.fid, action="finding.done").count() == 1
    assert Finding.objects.get(pk=case.finding_id).status == "done"


def test_an_acceptance_and_a_refusal_at_once(responded_case, held_lock):
    number[0] = responded_case.case.number
    outcomes = at_once(verify(responded_case.county, True), verify(responded_case.county2, False, "不到位"))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], actions.IllegalTransition), outcomes
    case = Case.objects.get(number=number[0])
    winner = next(o for o in outcomes if not isinstance(o, Exception))
    assert case.status == winner.status and case.events.filter(action__in=["accepted", "refused"]).count() == 1
    assert (Finding.objects.get(pk=case.finding_id).status == "done") == (case.status == "closed")


def test_two_officers_opening_a_case_on_one_finding_at_once(responded_case):
    finding = Finding.objects.get(type="forced_feature", rule="F3", items=["A1"])
    unit = Unit.objects.get(code=BUREAU)
    outcomes = at_once(
        *[
            lambda user=user: actions.do_open_case(finding, unit, "取消积分排名", in_days(5), acting_user=user)
            for user in (responded_case.county, responded_case.discipline)
        ]
    )
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], actions.Conflict), outcomes
    assert Case.objects.filter(finding=finding).count() == 1
