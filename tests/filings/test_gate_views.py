"""The gate's pages: 预审 on a draft (writes nothing), the reviewer's form against the evidence, and the filings
page showing each role only what it can do — each tried in scope, out of scope, by a role that may not, and
anonymously."""

from __future__ import annotations

import re

import pytest

from jianfu.audit.models import AuditEvent
from jianfu.filings import actions
from jianfu.filings.models import Proposal
from jianfu.filings.views import preset_answer
from tests.filings.conftest import make_proposal
from tests.web.conftest import SIBLING

pytestmark = pytest.mark.django_db
SAME_NAME_GROUP = {
    "name": "防汛工作群",
    "platform": "微信",
    "nature": "standing",
    "purpose": "汛期值守",
    "justification": "汛期信息传达",
    "expected_users": "全区网格员",
    "members": "",
}


def written() -> tuple[int, int]:
    return Proposal.objects.count(), AuditEvent.objects.count()


def test_precheck_of_a_draft_shows_the_duplicate_and_writes_nothing(cast, as_user):
    client = as_user(cast.department)
    before = written()
    response = client.post("/filings/precheck/groups/", SAME_NAME_GROUP, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and 'id="draft-precheck-result"' in page
    assert 'data-rule="F4"' in page and "同名" in page
    assert re.search(r'data-criterion="2" data-answer="no"', page) and "不符合" in page
    assert "<html" not in page  # a fragment for htmx, not a page
    assert written() == before


def test_precheck_of_a_saved_draft(cast, as_user):
    draft = make_proposal(cast.department, "groups", name="防汛工作群", details={"members": []})
    page = as_user(cast.department).get(f"/filings/precheck/groups/?proposal={draft.code}").content.decode()
    assert 'data-rule="F4"' in page
    proposal_page = as_user(cast.department).get(f"/filings/proposals/{draft.code}/").content.decode()
    assert 'id="precheck-button"' in proposal_page
    assert Proposal.objects.get(pk=draft.pk).precheck == {}


def test_precheck_out_of_scope(cast, as_user):
    # The county office may propose for its county, not for another one: the form says so, nothing is checked.
    response = as_user(cast.county).post("/filings/precheck/groups/", {**SAME_NAME_GROUP, "owner": SIBLING})
    page = response.content.decode()
    assert 'data-state="invalid"' in page and "无权为其申报" in page and 'id="similar"' not in page
    # Another county's officer cannot reach the bureau's draft.
    draft = make_proposal(cast.department, "groups")
    assert as_user(cast.outsider).get(f"/filings/precheck/groups/?proposal={draft.code}").status_code == 404


def test_precheck_by_a_role_that_may_not_and_anonymously(cast, as_user, client):
    for user in (cast.cadre, cast.discipline):
        assert as_user(user).post("/filings/precheck/groups/", SAME_NAME_GROUP).status_code == 403
    client.logout()
    response = client.post("/filings/precheck/groups/", SAME_NAME_GROUP)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert as_user(cast.department).post("/filings/precheck/nothing/", SAME_NAME_GROUP).status_code == 404


def test_the_edit_form_has_the_precheck_button(cast, as_user):
    page = as_user(cast.department).get("/filings/new/groups/").content.decode()
    assert 'hx-post="/filings/precheck/groups/"' in page and "预审" in page


def test_the_reviewer_form_is_not_prefilled_yes_against_the_evidence(cast, as_user):
    proposal = make_proposal(cast.department, "groups", name="防汛工作群", details={"members": []})
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    page = as_user(cast.county).get(f"/filings/proposals/{proposal.code}/").content.decode()
    assert 'data-criterion="2" data-answer="no"' in page and 'data-rule="F4"' in page
    select = re.search(r'<select name="criterion_2".*?</select>', page, re.S).group(0)
    assert re.search(r'value="no"\s+selected', select) and not re.search(r'value="yes"\s+selected', select)


def test_preset_answers():
    assert preset_answer("no", "yes") == "no"
    assert preset_answer("open", "yes") == ""  # this level judges what is open
    assert preset_answer("yes", "") == "yes" and preset_answer("na", "") == "na"
    assert preset_answer("yes", "no") == "no"


def tabs(page: str) -> set[str]:
    return set(re.findall(r'data-tab="(\w+)"', page))


def test_a_cadre_and_a_discipline_officer_see_only_what_they_can_do(cast, as_user):
    for user in (cast.cadre, cast.discipline):
        page = as_user(user).get("/filings/").content.decode()
        assert tabs(page) == {"expiring", "catalog", "offcatalog"}
        assert "点击上方按钮新建申报" not in page and 'id="policy-link"' not in page and "data-new=" not in page
        assert 'id="tab-catalog"' in page
        # Asking for a tab they cannot use shows the catalogue instead.
        assert 'id="tab-catalog"' in as_user(user).get("/filings/?tab=review").content.decode()


def test_proposers_and_reviewers_see_their_tabs(cast, as_user):
    department = as_user(cast.department).get("/filings/").content.decode()
    assert tabs(department) == {"mine", "expiring", "catalog", "offcatalog"}
    assert "点击上方按钮新建申报" in department and 'id="policy-link"' in department and "data-new=" in department
    county = as_user(cast.county).get("/filings/").content.decode()
    assert {"mine", "review", "decided"} <= tabs(county) and 'id="policy-link"' in county
    outsider = as_user(cast.outsider).get("/filings/?tab=review").content.decode()
    assert "review" in tabs(outsider)


def test_the_precheck_fragment_is_translated(cast, as_user):
    client = as_user(cast.department)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.post("/filings/precheck/groups/", SAME_NAME_GROUP).content.decode()
    assert "Same name" in english and "For reference only" in english
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    traditional = client.post("/filings/precheck/groups/", SAME_NAME_GROUP).content.decode()
    assert "僅供參考" in traditional and "（同一單位）" in traditional
