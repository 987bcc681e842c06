"""Every page of every role on a phone (390×844) and on an office screen (1366×768).

A phone must never scroll sideways and no text may be squeezed into a column a few characters wide; the office
screen must not regress. Pages are found by following the links each role sees, one page per URL pattern.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from jianfu.filings import actions
from jianfu.findings.running import run_and_store
from tests.filings.conftest import make_proposal

expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"width": 390, "height": 844}
OFFICE = {"width": 1366, "height": 768}
ROLES = ["admin", "county", "bureau", "jiwei", "cadre"]
# Links that leave the page, change state on GET, or download a file rather than show a page.
SKIPPED = re.compile(r"^/(logout|i18n|admin|static)/|/export/|\.xlsx$|/download/|/files?/")
MAX_PAGES_PER_ROLE = 60

# The layout facts a test needs, measured in the page: how wide the document is, and every visible text cell
# whose content box is narrower than six characters of its own font (`wrapping_only` keeps those whose text
# actually wraps, for the office screen where a short value in a narrow column is fine).
MEASURE = """(wrappingOnly) => {
  const squeezed = [];
  for (const cell of document.querySelectorAll("td, th, dd")) {
    const text = cell.innerText.trim();
    if (!text || cell.offsetParent === null || cell.closest("details:not([open])")) continue;
    const hiddenBox = cell.closest("thead, .visually-hidden");  // read by screen readers, drawn 1 px wide
    if (hiddenBox && hiddenBox.getBoundingClientRect().width <= 1) continue;
    const style = getComputedStyle(cell);
    const font = parseFloat(style.fontSize);
    const width = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = range.getBoundingClientRect().height / (parseFloat(style.lineHeight) || font * 1.6);
    if (width < 6 * font && (!wrappingOnly || lines >= 2.5)) {
      squeezed.push(`${cell.tagName} "${text.slice(0, 20)}" ${Math.round(width)}px at ${font}px`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, squeezed: squeezed.slice(0, 5)};
}"""


def url_pattern(path: str) -> str:
    """A path with its codes blanked (/groups/G1/ → /groups/*/): one visit per page template is enough."""
    return "/".join("*" if re.search(r"\d", segment) else segment for segment in path.split("/"))


def same_site_paths(page, origin: str) -> list[str]:
    """The site paths the page links to (query strings dropped: a filter shows the same template)."""
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" == origin and not SKIPPED.search(parts.path):
            paths.append(parts.path)
    return paths


def layout_problems(page, where: str) -> list[str]:
    """What is wrong with this page's layout at the phone width and at the office width."""
    problems = []
    for viewport, wrapping_only in ((PHONE, False), (OFFICE, True)):
        page.set_viewport_size(viewport)
        measured = page.evaluate(MEASURE, wrapping_only)
        if measured["scrollWidth"] > viewport["width"]:
            problems.append(f"{where} at {viewport['width']} px is {measured['scrollWidth']} px wide")
        if measured["squeezed"]:
            problems.append(f"{where} at {viewport['width']} px squeezes {measured['squeezed']}")
    return problems


@pytest.fixture
def furnished(cast):
    """The cast with findings from an analysis and a proposal in review, so that every kind of page has rows."""
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    proposal = make_proposal(cast.department, kind="groups")
    actions.do_submit_proposal(proposal, acting_user=cast.department)
    make_proposal(cast.department, kind="forms")
    return cast


@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_a_phone_and_an_office_screen(furnished, login, live_server, username):
    page = login(username)
    origin = live_server.url
    queue, seen, problems, visited = deque(["/"]), {url_pattern("/")}, [], 0
    while queue and visited < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        page.set_viewport_size(PHONE)
        response = page.goto(f"{origin}{path}")
        page.wait_for_load_state("networkidle")
        visited += 1
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        problems += layout_problems(page, path)
        for link in same_site_paths(page, origin):
            if url_pattern(link) not in seen:
                seen.add(url_pattern(link))
                queue.append(link)
    assert visited >= 8, f"{username} reached only {visited} pages"
    assert not problems, "\n".join(problems[:12])


def test_the_phone_menu_opens_and_lists_become_cards(furnished, login, live_server):
    page = login("county")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/groups/")
    nav_link = page.locator("#mainnav a[href='/findings/']")
    expect(nav_link).to_be_hidden()
    page.click("[data-toggles-nav]")
    expect(page.locator("[data-toggles-nav]")).to_have_attribute("aria-expanded", "true")
    expect(nav_link).to_be_hidden()  # in the 治理 section, which opens in place
    page.click("#mainnav summary:has-text('治理')")
    expect(nav_link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Each card shows its field names (from the column headers), including rows htmx swaps in.
    page.fill("input[name=q]", "防汛")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody td").nth(2)).to_have_attribute("data-label", "平台")
    assert page.locator("#results thead").bounding_box()["height"] <= 1
    page.set_viewport_size(OFFICE)
    expect(page.locator("[data-toggles-nav]")).to_be_hidden()
    expect(nav_link).to_be_visible()


def test_the_section_menus_work_from_the_keyboard(furnished, login, live_server):
    page = login("county")
    page.set_viewport_size(OFFICE)
    page.goto(f"{live_server.url}/groups/")
    registers, oversight = page.locator("#mainnav summary").nth(0), page.locator("#mainnav summary").nth(1)
    expect(registers).to_have_attribute("aria-current", "true")
    findings = page.locator("#mainnav a[href='/findings/']")
    expect(findings).to_be_hidden()
    oversight.focus()
    page.keyboard.press("Enter")
    expect(findings).to_be_visible()
    page.keyboard.press("Tab")
    expect(findings).to_be_focused()
    # One menu at a time; Escape closes it and returns to its summary.
    registers.click()
    expect(findings).to_be_hidden()
    expect(page.locator("#mainnav a[href='/units/']")).to_be_visible()
    page.locator("#mainnav a[href='/units/']").focus()
    page.keyboard.press("Escape")
    expect(page.locator("#mainnav a[href='/units/']")).to_be_hidden()
    expect(registers).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#mainnav a[href='/units/']")).to_be_visible()
    page.locator("footer").click()  # a click elsewhere closes the open menu
    expect(page.locator("#mainnav a[href='/units/']")).to_be_hidden()
