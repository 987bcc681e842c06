"""/me/ on a phone (390 px): a linked cadre sees their carriers and reports one with a tap; the survey form on a
phone. The clue page is built on another branch: where it is missing, the test asserts where the tap leads."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from jianfu.accounts.actions import do_create_user
from jianfu.findings.running import run_and_store
from jianfu.surveys import actions
from tests.cast import COUNTY, PASSWORD, TOWNSHIP

expect = pytest.importorskip("playwright.sync_api").expect
PHONE = {"width": 390, "height": 844}


def test_a_linked_cadre_reports_a_group_from_me_at_phone_width(cast, page, login, live_server, shots):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    do_create_user("zhangsan", password=PASSWORD, unit_code=TOWNSHIP, role="cadre", acting_user=None, person_code="P1")
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
