"""The three filing paths in Chromium: a duplicate group rejected citing the group the pre-check found, a
distinct app approved by two levels into the registry, and an app with 积分排名 refused at submission."""

from __future__ import annotations

import re

import pytest

from jianfu.accounts.models import Role
from tests.cast import CITY

# Skipped, not failed, where Playwright is not installed (the conftest also skips without Chromium).
expect = pytest.importorskip("playwright.sync_api").expect


def switch_to(page, login, username: str):
    page.context.clear_cookies()
    return login(username)


def answer_open_criteria(page) -> None:
    """Criteria the pre-check could not answer from the data are the reviewer's: answer them 符合."""
    for select in page.locator("#approve-form select").all():
        if select.input_value() == "":
            select.select_option("yes")


def open_from_review_tab(page, live_server, name: str) -> None:
    page.goto(f"{live_server.url}/filings/?tab=review")
    page.locator("#proposals").get_by_role("link", name=name).click()
    expect(page.locator("#review")).to_be_visible()


def test_i_duplicate_group_is_rejected_citing_the_group_found(cast, login, live_server, shots):
    page = login("bureau")
    page.goto(f"{live_server.url}/filings/")
    page.click("[data-new=groups]")
    page.fill("#id_name", "防汛工作群（新）")
    page.fill("#id_platform", "微信")
    page.select_option("#id_nature", "temporary")
    page.fill("#id_task_end_date", "2099-09-30")
    page.fill("#id_purpose", "防汛")
    page.fill("#id_members", "P2")
    page.fill("#people-q", "张三")  # the people picker adds P1
    page.locator("#people-results [data-person=P1]").click()
    expect(page.locator("#id_members")).to_have_value("P2\nP1")
    page.fill("#id_justification", "汛期信息传达")
    page.fill("#id_expected_users", "清波社区网格员 2 人")
    page.click("button:has-text('保存并提交')")
    expect(page.locator("#status")).to_have_attribute("data-status", "in_review")
    first = page.locator("#similar tbody tr").first
    expect(first).to_have_attribute("data-code", "G1")
    expect(first).to_contain_text("防汛工作群")
    expect(first).to_contain_text("疑似重复")
    expect(page.locator("#violations [data-rule=F4]")).to_contain_text("G1")
    page.screenshot(path=str(shots / "filing-precheck-group.png"), full_page=True)

    page = switch_to(page, login, "county")
    open_from_review_tab(page, live_server, "防汛工作群（新）")
    expect(page.locator("#similar tbody tr").first).to_have_attribute("data-code", "G1")
    page.fill("#reject-form textarea", "与现有工作群「防汛工作群」（G1）成员完全重合，请直接使用该群")
    page.click("#reject-form button")
    expect(page.locator("#status")).to_have_attribute("data-status", "rejected")
    expect(page.locator("#decision-reason")).to_contain_text("G1")
    expect(page.locator("#events")).to_contain_text("不予通过")


def test_ii_distinct_app_is_approved_by_two_levels_and_filed(cast, login, live_server, shots):
    from tests.cast import make_user

    make_user("city", CITY, Role.OFFICE)
    page = login("bureau")
    page.goto(f"{live_server.url}/filings/new/apps/")
    page.fill("#id_name", "上城区养老服务补贴申领系统")
    page.select_option("#id_category", "app")
    page.fill("#id_functions", "补贴申领、资格审核、资金发放")
    page.fill("#id_description", "老年人在线申领养老服务补贴，街道初审，民政局复核并发放资金")
    page.fill("#id_related_systems", "A2")
    page.fill("#id_justification", "养老服务补贴申领目前靠纸质材料逐级报送")
    page.fill("#id_expected_users", "街道民政干部约 60 人，申领老人约 3000 人")
    page.fill("#id_why_not_existing", "民政统计平台只做统计，没有申领和审核流程")
    page.fill("#id_shared_data", "补贴发放名单共享给区财政局")
    page.click("button:has-text('保存并提交')")
    expect(page.locator("#status")).to_have_attribute("data-status", "in_review")
    expect(page.locator("#violations")).to_contain_text("未发现违规情形")
    expect(page.locator("#criteria [data-criterion='2']")).to_have_attribute("data-answer", "yes")

    page = switch_to(page, login, "county")
    open_from_review_tab(page, live_server, "上城区养老服务补贴申领系统")
    answer_open_criteria(page)
    page.click("#approve-form button")
    expect(page.locator(".messages")).to_contain_text("已转杭州市审核")
    expect(page.locator("#steps li.now")).to_contain_text("杭州市")

    page = switch_to(page, login, "city")
    open_from_review_tab(page, live_server, "上城区养老服务补贴申领系统")
    answer_open_criteria(page)
    page.click("#approve-form button")
    expect(page.locator("#status")).to_have_attribute("data-status", "approved")
    number = page.locator("#filing-number").inner_text()
    assert re.fullmatch(r"330100-APP-\d{4}-0001", number)
    expires = page.locator("#expires-on").inner_text()
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", expires)
    page.screenshot(path=str(shots / "filing-approved.png"), full_page=True)

    page.goto(f"{live_server.url}/filings/?tab=catalog")
    row = page.locator("#filings tbody tr", has_text=number)
    expect(row).to_contain_text("上城区养老服务补贴申领系统")
    expect(row).to_contain_text(expires)
    page.screenshot(path=str(shots / "filing-catalog.png"), full_page=True)
    page.goto(f"{live_server.url}/apps/{number}/")
    expect(page.locator("h1")).to_contain_text("上城区养老服务补贴申领系统")


def test_iii_forced_feature_is_refused_at_submission(cast, login, live_server, shots):
    page = login("bureau")
    page.goto(f"{live_server.url}/filings/new/apps/")
    page.fill("#id_name", "上城先锋学习")
    page.select_option("#id_category", "app")
    page.fill("#id_functions", "党课学习、在线考试")
    page.fill("#id_description", "党员在线学习，按学习积分排名通报")
    page.check("input[name=forced_features][value=积分排名]")
    page.fill("#id_justification", "党员教育")
    page.fill("#id_expected_users", "全区党员")
    page.click("button:has-text('保存并提交')")
    expect(page.locator(".messages")).to_contain_text("提交被拒绝")
    expect(page.locator("#status")).to_have_attribute("data-status", "draft")
    refused = page.locator("#violations [data-severity=refuse]")
    expect(refused).to_contain_text("积分排名")
    expect(refused).to_contain_text("F3")
    page.screenshot(path=str(shots / "filing-refused.png"), full_page=True)
    page = switch_to(page, login, "county")
    page.goto(f"{live_server.url}/filings/?tab=review")
    expect(page.locator("#proposals")).not_to_contain_text("上城先锋学习")
