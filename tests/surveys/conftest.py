"""Surveys on the shared cast: a few more people in 清波社区, all members of 防汛工作群 (G1), so that a carrier
can reach the k-anonymity threshold of five respondents."""

from __future__ import annotations

import pytest

from jianfu.registry.models import Membership, Person, Unit, WorkGroup
from jianfu.surveys import actions
from tests.cast import COMMUNITY, COUNTY, TOWNSHIP

EXTRA = [("P11", "钱一"), ("P12", "孙二"), ("P13", "周三"), ("P14", "吴四")]


@pytest.fixture
def crowd(cast):
    community = Unit.objects.get(code=COMMUNITY)
    group = WorkGroup.objects.get(code="G1")
    for code, name in EXTRA:
        person = Person.objects.create(code=code, name=name, unit=community, post="网格员")
        Membership.objects.create(group=group, person=person)
    return cast


@pytest.fixture
def survey(crowd):
    return actions.do_create_survey(crowd.county, title="清波街道减负调研", region_code=COUNTY)


@pytest.fixture
def links(survey, crowd):
    """person code → one-time token, for everyone in 清波街道 (P1, P2, P3 and the four above)."""
    return {link.person.code: link.token for link in actions.do_issue_links(crowd.county, survey, TOWNSHIP)}
