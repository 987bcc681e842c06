"""WCAG 2.1 AA where it applies: axe-core finds nothing serious on the main pages, on an office screen and a phone.

axe-core is vendored in tests/browser/vendor (see its README) and injected by the test alone; the context
bypasses the Content-Security-Policy for that injection only, since the app must never load it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jianfu.filings import actions
from jianfu.findings.running import run_and_store
from tests.filings.conftest import make_proposal
from tests.web.conftest import PASSWORD

expect = pytest.importorskip("playwright.sync_api").expect

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LISTS = ["/units/", "/people/", "/apps/", "/accounts/", "/groups/", "/forms/"]
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""


@pytest.fixture
def audited(browser, live_server):
    """A page whose context lets the test inject axe-core despite the CSP (the app's own pages stay as served)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


def log_in(page, origin: str, username: str) -> None:
    page.goto(f"{origin}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_main_pages_have_no_serious_accessibility_violation(cast, audited, live_server, viewport):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    proposal = make_proposal(cast.department, kind="groups")
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    audited.set_viewport_size(viewport)
    origin = live_server.url
    found = {}
    audited.goto(f"{origin}/login/")
    found["/login/"] = serious_violations(audited)
    log_in(audited, origin, "county")
    audited.goto(f"{origin}/findings/")
    finding = audited.locator("#results tbody tr a").first.get_attribute("href")
    pages = [
        "/",
        *LISTS,
        "/groups/G1/",
        "/findings/",
        finding,
        "/filings/",
        f"/filings/proposals/{proposal.code}/",
        "/filings/new/groups/",
        "/import/",
        "/inbox/",
    ]
    for path in pages:
        response = audited.goto(f"{origin}{path}")
        assert response.status == 200, path
        found[path] = serious_violations(audited)
    problems = [f"{path}: {violation}" for path, violations in found.items() for violation in violations]
    assert not problems, "\n".join(problems)


def test_the_skip_link_leads_past_the_navigation(cast, page, login, live_server):
    login("county")
    page.goto(f"{live_server.url}/groups/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0  # drawn on screen once focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/groups/#main")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_each_chart_has_its_numbers_in_a_table_behind_a_toggle(cast, page, login, live_server):
    login("county")
    page.goto(f"{live_server.url}/")
    data = page.evaluate("JSON.parse(document.getElementById('chart-data').textContent)")
    kinds = page.locator("#table-kinds")
    expect(kinds.locator("table")).to_be_hidden()
    kinds.locator("summary").click()
    expect(kinds.locator("table")).to_be_visible()
    rows = kinds.locator("tbody tr").all_inner_texts()
    assert [row.split("\t") for row in rows] == [
        [label, str(value)] for label, value in zip(data["kinds"]["labels"], data["kinds"]["values"])
    ]
    platforms = page.locator("#table-platforms tbody tr").all_text_contents()
    assert len(platforms) == len(data["platforms"]) and data["platforms"][0]["name"] in platforms[0]
    units = page.locator("#table-units tbody tr").all_text_contents()
    assert len(units) == len(data["units"]["labels"]) and data["units"]["labels"][-1] in units[0]
    expect(page.locator("#chart-kinds")).to_have_attribute("aria-describedby", "table-kinds")
