"""Two analyses of the cast with decisions between them: the outcome report's fixture, counted by hand.

Before: groups G1 (bureau, a temporary group past its task end) and G4 (the community's) hold the same two
members (P1, P2): a duplicate_groups finding names both; G1 is also an expired_group finding.
"""

import datetime as dt

import pytest
from django.utils import timezone

from jianfu.api.tokens import do_create_token
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store

# Four weeks before today: the window always holds both analyses, whatever day the suite runs.
START = timezone.localdate() - dt.timedelta(days=28)


@pytest.fixture
def first_run(cast):
    run_and_store(as_of=START, actor="test")
    return cast


def accept_and_finish(finding: Finding, user, keep=None) -> Finding:
    from jianfu.findings.actions import do_decide_finding

    do_decide_finding(finding, "accepted", "", acting_user=user)
    return do_decide_finding(Finding.objects.get(pk=finding.pk), "done", "已整改", acting_user=user, keep=keep)


@pytest.fixture
def outcome(first_run):
    """G1 merged into G4 (the officer keeps G4), then analysed again today."""
    cast = first_run
    merge = Finding.objects.get(type="duplicate_groups")
    assert sorted(merge.items) == ["G1", "G4"]
    accept_and_finish(merge, cast.county, keep="G4")
    cast.today = timezone.localdate()
    run_and_store(as_of=cast.today, actor="test")
    return cast


@pytest.fixture
def token_for():
    def make(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {do_create_token(user, acting_user=user)[1]}"}

    return make


@pytest.fixture(autouse=True)
def _generous_rate(settings):
    settings.JIANFU_API_RATE_PER_MINUTE = 100_000
