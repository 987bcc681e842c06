"""Errors raised in actions reach the page in the reader's language, not as the Chinese text of the exception."""

from __future__ import annotations

import pytest
from django.utils import translation

from jianfu.filings import actions
from jianfu.filings.models import TransitionError
from jianfu.registry.models import Unit
from tests.web.conftest import BUREAU

pytestmark = pytest.mark.django_db

REFUSED_APP = {
    "name": "清波打卡通",
    "details": {"category": "app", "functions": ["打卡"], "forced_features": ["积分排名"], "description": "社区打卡"},
    "justification": "打卡",
    "expected_users": "网格员",
}


def test_an_action_error_is_english_in_english(cast):
    with translation.override("en"), pytest.raises(TransitionError) as refused:
        actions.do_set_region_policy(Unit.objects.get(code=BUREAU), {}, acting_user=cast.admin)
    assert str(refused.value) == "Approval routes can only be set for a region"
    with pytest.raises(
        TransitionError, match="审批流程只能按地区配置"
    ):  # the default language (and the CLI) keep Chinese
        actions.do_set_region_policy(Unit.objects.get(code=BUREAU), {}, acting_user=cast.admin)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Submission refused: F3 ranking abuse. The reasons are in the pre-check results"),
        ("zh-hant", "提交被拒絕：F3 濫用排名。原因見預審結果"),
    ],
)
def test_a_refused_submission_is_told_in_the_page_language(cast, as_user, language, expected):
    client = as_user(cast.department)
    client.cookies["django_language"] = language
    proposal = actions.do_create_proposal(
        kind="apps", owner=cast.department.unit, values=REFUSED_APP, acting_user=cast.department
    )
    page = client.post(f"/filings/proposals/{proposal.code}/submit/", follow=True).content.decode()
    assert expected in page
