"""The filings tests' extra cast: a city officer, and a proposal already in review (the cast is in tests/conftest.py)."""

from __future__ import annotations

import pytest

from jianfu.accounts.models import Role
from jianfu.filings import actions
from tests.cast import CITY, make_user
from tests.proposals import make_proposal
from tests.proposals import *  # noqa: F403  (names importable here before the move, for older branches)


@pytest.fixture
def city(cast):
    return make_user("city", CITY, Role.OFFICE)


@pytest.fixture
def submitted(cast):
    """A distinct app from the bureau, submitted: in review at the county level."""
    proposal = make_proposal(cast.department)
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    return proposal
