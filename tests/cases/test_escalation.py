"""`jianfu cases escalate`: the deadline day is not overdue, the day after is, a second run changes nothing."""

import datetime as dt
import json

import pytest

from jianfu.accounts.models import Role
from jianfu.audit.models import AuditEvent
from jianfu.cases import actions
from jianfu.cases.models import Case
from jianfu.cli import main
from jianfu.inbox.models import Message
from tests.cast import CITY, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(world, open_case):
    world.city = make_user("city", CITY, Role.OFFICE)
    world.case = open_case(days=5)
    return world


def test_the_deadline_day_is_not_overdue(due):
    assert actions.do_escalate_overdue(due.case.deadline) == []
    case = Case.objects.get(pk=due.case.pk)
    assert not case.overdue and not case.escalated and case.supervisor.code == due.county.unit.code


def test_the_day_after_marks_overdue_escalates_one_level_and_tells_both_offices(due):
    day = due.case.deadline + dt.timedelta(days=1)
    assert actions.do_escalate_overdue(day) == [due.case.number]
    case = Case.objects.get(pk=due.case.pk)
    assert case.overdue and case.overdue_since == day and case.escalation_level == 1 and case.escalated
    assert case.supervisor.code == CITY and case.escalated_on == day
    told = set(Message.objects.filter(subject__startswith="案件逾期").values_list("recipient__username", flat=True))
    assert {"county", "county2", "jiwei", "city", "bureau", "bureau2"} <= told
    assert "outsider" not in told and "province" not in told
    assert list(case.events.values_list("action", flat=True)) == ["opened", "overdue", "escalated"]
    assert AuditEvent.objects.filter(object_code=case.number, action="case.escalated").count() == 1
    # A second run on the same day changes nothing: no event, no audit row, no message.
    counts = (Message.objects.count(), AuditEvent.objects.count(), case.events.count())
    assert actions.do_escalate_overdue(day) == []
    assert (Message.objects.count(), AuditEvent.objects.count(), case.events.count()) == counts
    # The next day too (it was escalated yesterday); only after the re-escalation interval does it climb again.
    assert actions.do_escalate_overdue(day + dt.timedelta(days=1)) == []
    assert actions.do_escalate_overdue(day + dt.timedelta(days=14)) == [case.number]
    assert Case.objects.get(pk=case.pk).supervisor.code == "330000000000"


def test_an_answered_case_is_not_escalated(due):
    actions.do_respond_case(due.case, "已整改", acting_user=due.department)
    assert actions.do_escalate_overdue(due.case.deadline + dt.timedelta(days=3)) == []


def test_the_command_line_job_and_its_json(due, tmp_path, capsys):
    day = due.case.deadline + dt.timedelta(days=1)
    out = tmp_path / "escalated.json"
    assert main(["cases", "escalate", "--as-of", day.isoformat(), "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["escalated"] == [due.case.number]
    assert main(["cases", "escalate", "--as-of", day.isoformat(), "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["escalated"] == []
    assert main(["cases", "escalate", "--as-of", "2026-13-01"]) == 1
    assert "--as-of" in capsys.readouterr().err


def test_many_overdue_cases_cost_a_few_statements_not_a_dozen_each(due, django_assert_max_num_queries):
    from jianfu.audit.log import verify_chain

    template = {f.attname: getattr(due.case, f.attname) for f in Case._meta.concrete_fields if f.attname != "id"}
    # Copies name no finding: one finding has at most one open case (setup only, written in bulk).
    Case.objects.bulk_create([Case(**{**template, "number": f"T{n:04d}", "finding_id": None}) for n in range(40)])
    day = due.case.deadline + dt.timedelta(days=1)
    with django_assert_max_num_queries(40):  # 41 cases: the old job made about fourteen statements per case
        changed = actions.do_escalate_overdue(day)
    assert len(changed) == 41
    # One audit row per case, chained; two case events and a message to each office and department per case.
    assert AuditEvent.objects.filter(action="case.escalated", object_code__in=changed).count() == 41
    assert verify_chain() == []
    copy = Case.objects.get(number="T0007")
    assert copy.supervisor.code == CITY and copy.escalation_level == 1 and copy.overdue_since == day
    assert list(copy.events.values_list("action", flat=True)) == ["overdue", "escalated"]
    told = set(Message.objects.filter(url="/cases/T0007/").values_list("recipient__username", flat=True))
    assert {"county", "county2", "jiwei", "city", "bureau", "bureau2"} <= told and "outsider" not in told
