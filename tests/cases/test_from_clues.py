"""Cases opened from an anonymous clue: scope, one open case per clue, the clue linked, and a notice that names
the carrier and the rule but never the reporter's words or contact."""

import json

import pytest

from jianfu.cases import actions, notices
from jianfu.cases.models import Case
from jianfu.clues import actions as clue_actions
from jianfu.clues.models import Clue
from tests.cases.conftest import in_days
from tests.cast import SIBLING_TOWNSHIP, TOWNSHIP

pytestmark = pytest.mark.django_db
DESCRIPTION = "我是清波街道网格员王小明，电话13912345678，每天被要求在清波通打卡三次"


@pytest.fixture
def clue(world):
    filed, _receipt = clue_actions.do_file_clue(
        category="F1", region_code=TOWNSHIP, description=DESCRIPTION, carrier="清波通", contact="13912345678"
    )
    return filed


def test_a_case_from_a_clue_links_it_and_keeps_the_reporter_out_of_the_notice(world, clue):
    case = actions.do_open_case(clue, world.bureau, "取消打卡要求", in_days(7), acting_user=world.discipline)
    assert case.clue == clue and case.finding is None
    clue.refresh_from_db()
    assert clue.linked_cases == [case.number] and clue.status == Clue.Status.HANDLING
    with pytest.raises(actions.Conflict):
        actions.do_open_case(clue, world.bureau, "again", in_days(7), acting_user=world.county)
    case = actions.do_respond_case(case, "已取消", acting_user=world.department)
    case = actions.do_verify_case(case, True, "", acting_user=world.county)
    paragraph = notices.case_paragraph(case, 1)
    assert "清波通" in paragraph["text"] and "F1“强制使用”" in paragraph["text"]
    for secret in ("王小明", "13912345678", "网格员"):
        assert secret not in paragraph["text"] + paragraph["heading"]
    notice = actions.do_draft_notice([case], "通报", acting_user=world.county)
    for kind in ("docx", "pdf"):
        assert b"13912345678" not in notices.render(notice, kind)


def test_a_clue_outside_the_region_is_not_reachable(world):
    foreign, _receipt = clue_actions.do_file_clue(category="F2", region_code=SIBLING_TOWNSHIP, description="拱墅截图")
    with pytest.raises(actions.Forbidden):
        actions.do_open_case(foreign, world.bureau, "x", in_days(3), acting_user=world.county)


def test_the_web_and_the_api_open_a_case_from_a_clue(world, clue, as_user, client, token_of):
    url = f"/clues/{clue.pk}/case/"
    assert as_user(None).get(url).status_code == 302
    assert as_user(world.department).get(url).status_code == 403
    assert as_user(world.outsider).get(url).status_code == 404
    page = as_user(world.county).get(url)
    assert page.status_code == 200 and DESCRIPTION in page.content.decode()  # the handler reads the clue itself
    body = {"clue": clue.pk, "unit": world.bureau.code, "deadline": in_days(5).isoformat(), "demand": "取消打卡"}
    headers = token_of(world.outsider)
    assert (
        client.post("/api/v1/cases/", json.dumps(body), content_type="application/json", headers=headers).status_code
        == 404
    )
    created = client.post(
        "/api/v1/cases/", json.dumps(body), content_type="application/json", headers=token_of(world.discipline)
    )
    assert created.status_code == 201
    number = created.json()["number"]
    assert client.get(f"/api/v1/cases/{number}/", headers=token_of(world.county)).json()["clue"] == clue.pk
    again = as_user(world.county).post(
        url, {"unit": world.bureau.code, "demand": "x", "deadline": in_days(5).isoformat()}
    )
    assert again.status_code == 409 and Case.objects.filter(clue=clue).count() == 1
