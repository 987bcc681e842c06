"""Every main page under the strict Content-Security-Policy: nothing refused, nothing broken.

The browser reports each refused script, style or eval as a `securitypolicyviolation` event and a console
error; both are collected from before the first script of each page runs.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from jianfu.findings.running import run_and_store
from tests.builders import write_xlsx
from tests.cast import BUREAU

# Skipped, not failed, where Playwright is not installed (the conftest also skips without Chromium).
expect = pytest.importorskip("playwright.sync_api").expect

COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""
COUNTY_PAGES = [
    "/",
    "/units/",
    "/people/",
    "/apps/",
    "/platforms/",
    "/accounts/",
    "/groups/",
    "/groups/G1/",
    "/forms/",
    "/forms/F1/",
    "/findings/",
    "/filings/",
    "/filings/?tab=review",
    "/filings/policy/",
    "/inbox/",
    "/import/",
    "/no-such-page/",
]


@pytest.fixture
def watched(page):
    """The page, with every CSP report, console CSP error and uncaught script error gathered in a list."""
    problems: list[str] = []
    page.context.add_init_script(COLLECT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    def check(where: str) -> None:
        reported = page.evaluate("window.__violations || []")
        assert not reported and not problems, f"{where}: {(reported + problems)[:5]}"

    page.check_clean = check
    return page


def test_main_pages_raise_no_violation(cast, login, watched, live_server):
    page = login("county")
    watched.check_clean("/login/ and the login post")
    for path in COUNTY_PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        watched.check_clean(path)


def test_charts_and_their_tooltips_raise_no_violation(cast, login, watched, live_server):
    page = login("county")
    page.goto(f"{live_server.url}/")
    page.wait_for_function("document.querySelector('#chart-kinds canvas') !== null")
    for chart in ("#chart-kinds", "#chart-units", "#chart-platforms"):
        box = page.locator(chart).bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(300)
    watched.check_clean("dashboard charts")


def test_search_as_you_type_and_the_language_switcher_work(cast, login, watched, live_server):
    page = login("county")
    page.goto(f"{live_server.url}/groups/")
    page.fill("input[name=q]", "防汛")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("防汛工作群")
    page.select_option("#lang-select", "en")  # ui.js posts the form on change
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.select_option("#lang-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    watched.check_clean("search and language switch")


def test_users_page_for_the_admin(cast, login, watched, live_server):
    page = login("admin")
    page.goto(f"{live_server.url}/users/")
    expect(page.locator("h1")).to_be_visible()
    watched.check_clean("/users/")


def test_proposal_form_picker_enter_key_and_withdraw_confirmation(cast, login, watched, live_server):
    page = login("bureau")
    page.goto(f"{live_server.url}/filings/new/groups/")
    page.fill("#id_name", "防汛值班群（策略测试）")
    page.fill("#id_platform", "微信")
    page.select_option("#id_nature", "temporary")
    page.fill("#id_task_end_date", "2099-09-30")
    page.fill("#id_purpose", "防汛值班")
    page.fill("#people-q", "张三")
    page.locator("#people-results [data-person=P1]").click()  # filings/edit.js
    expect(page.locator("#id_members")).to_have_value("P1")
    page.press("#people-q", "Enter")  # ui.js keeps Enter in the search box from posting the form
    expect(page).to_have_url(re.compile(r"/filings/new/groups/$"))
    page.fill("#id_justification", "汛期值班通知")
    page.fill("#id_expected_users", "值班人员 3 人")
    page.click("button:has-text('保存并提交')")
    expect(page.locator("#status")).to_have_attribute("data-status", "in_review")
    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.click("button:has-text('撤回')")  # ui.js asks first (data-confirm)
    expect(page.locator("#status")).to_have_attribute("data-status", "withdrawn")
    assert questions == ["确定撤回该申报？"]
    watched.check_clean("proposal form and page")


def test_an_import_job_page_polling_for_progress(cast, login, watched, live_server, tmp_path):
    path = write_xlsx(
        tmp_path / "应用补充.xlsx",
        [["编号", "名称", "类别", "主管单位", "上线日期"], ["A7", "好应用", "APP", BUREAU, "2024-05-01"]],
    )
    page = login("county")
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#id_files", str(path))
    page.click("button:has-text('开始导入')")
    expect(page).to_have_url(re.compile(r"/import/[0-9a-f-]{36}/$"))
    with page.expect_response(re.compile(r"/status/")):  # htmx polls the queued job every second
        pass
    watched.check_clean("import job page")


def test_the_findings_list_and_a_finding(cast, login, watched, live_server):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    page = login("county")
    page.goto(f"{live_server.url}/findings/")
    page.locator("#results tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/findings/[^/]+/$"))
    watched.check_clean("findings")


def test_the_api_docs_page_renders_under_the_policy(cast, login, watched, live_server):
    page = login("county")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert page.locator(".swagger-ui .opblock").count() >= 10
    watched.check_clean("/api/v1/docs")
