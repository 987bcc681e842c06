"""/me/ on a phone (390 px): a linked cadre sees their carriers and reports one with a tap; the survey form on a
phone. The clue page is built on another branch: where it is missing, the test asserts where the tap leads."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from jianfu.accounts.actions import do_create_user
from jianfu.findings.running import run_and_store
from jianfu.surveys import actions
from tests.cast import COMMUNITY, COUNTY, PASSWORD, TOWNSHIP

expect = pytest.importorskip("playwright.sync_api").expect
PHONE = {"width": 390, "height": 844}


def test_a_linked_cadre_reports_a_group_from_me_at_phone_width(cast, page, login, live_server, shots):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    do_create_user("zhangsan", password=PASSWORD, unit_code=COMMUNITY, role="cadre", acting_user=None, person_code="P1")
    page.set_viewport_size(PHONE)
    login("zhangsan")
    page.goto(f"{live_server.url}/me/")
    expect(page.locator("h1")).to_contain_text("我的负担")
    group = page.locator('#me-group li[data-code="G1"]')
    expect(group).to_contain_text("防汛工作群")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = group.locator("a[data-report]").bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 32  # big enough to tap
    page.screenshot(path=str(shots / "me-phone.png"), full_page=True)
    group.locator("a[data-report]").click()
    page.wait_for_load_state()
    url = urlsplit(page.url)
    assert url.path == "/clues/new/"
    assert parse_qs(url.query) == {"region": ["330102000000"], "carrier": ["G1"]}


def test_the_survey_form_at_phone_width(cast, page, live_server, shots):
    survey = actions.do_create_survey(cast.county, title="清波街道减负调研", region_code=COUNTY)
    token = {i.person.code: i.token for i in actions.do_issue_links(cast.county, survey, TOWNSHIP)}["P1"]
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/s/{token}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill('input[name="m:group:G1"]', "30")
    page.check('input[name="d:group:G1"]')
    page.fill("#id_text", "每天晚上群里打卡接龙")
    page.screenshot(path=str(shots / "survey-phone.png"), full_page=True)
    page.click("button[type=submit]")
    expect(page.locator("#survey-done")).to_be_visible()
    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.locator("#survey-closed")).to_contain_text("此链接已经提交过")


def test_the_offices_survey_pages_at_phone_and_office_width(cast, page, login, live_server, shots):
    from jianfu.registry.models import Membership, Person, Unit, WorkGroup

    community, group = Unit.objects.get(code="330102001001"), WorkGroup.objects.get(code="G1")
    for code, name in (("P11", "钱一"), ("P12", "孙二"), ("P13", "周三")):
        Membership.objects.create(group=group, person=Person.objects.create(code=code, name=name, unit=community))
    survey = actions.do_create_survey(cast.county, title="清波街道减负调研", region_code=COUNTY)
    tokens = [i.token for i in actions.do_issue_links(cast.county, survey, TOWNSHIP)]
    for token in tokens[:5]:
        actions.do_submit(
            token,
            minutes={("group", "G1"): 20.0},
            droppable=set(),
            text="群里每天打卡接龙",
            bearers={},
            allowed={("group", "G1")},
        )
    login("county")
    for viewport in (PHONE, {"width": 1366, "height": 900}):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/surveys/{survey.code}/")
        expect(page.locator("#carriers")).to_contain_text("防汛工作群")
        expect(page.locator("#pain-points")).to_contain_text("接龙")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(shots / f"survey-results-{viewport['width']}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#survey-panel")).to_contain_text("接龙")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{live_server.url}/surveys/{survey.code}/")
    page.locator(f'#areas form:has(input[value="{TOWNSHIP}"]) button[value=html]').click()
    expect(page.locator("#slips svg")).to_have_count(1)  # the one of 清波街道 who has not answered
    page.screenshot(path=str(shots / "survey-sheet.png"), full_page=True)
