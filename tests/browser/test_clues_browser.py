"""A reporter on a phone (390 px) files a clue with a photo, keeps the receipt, and later reads the handler's
reply on the tracking page; the handler answers from the triage page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jianfu.clues.models import Clue
from tests.cast import TOWNSHIP
from tests.clues.helpers import photo_with_gps

expect = pytest.importorskip("playwright.sync_api").expect
PHONE = {"width": 390, "height": 844}


def answer(page) -> str:
    from tests.clues.helpers import solve

    return solve(page.content())["answer"]


def test_a_reporter_files_at_phone_width_and_reads_the_reply(cast, browser, live_server, login, shots, tmp_path):
    photo = tmp_path / "IMG_0420.jpg"
    photo.write_bytes(photo_with_gps())
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/clues/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.check("input[name=category][value=F1]")
    # The region by typing its name: the suggestion list fills and picking it sets the region.
    phone.fill("#clue-region-name", "清波")
    expect(phone.locator("#clue-region-list option")).not_to_have_count(0)
    label = phone.locator("#clue-region-list option").first.get_attribute("value")
    phone.fill("#clue-region-name", label)
    phone.dispatch_event("#clue-region-name", "input")
    expect(phone.locator("#clue-region")).to_have_value(re.compile(r"^330102001"))
    phone.fill("#clue-carrier", "网格")
    expect(phone.locator("#clue-carrier-list option")).to_have_count(1)
    phone.fill("#clue-carrier", "清波社区网格群")
    phone.fill("textarea[name=description]", "社区网格群要求每晚十点前接龙报平安")
    phone.set_input_files("input[name=evidence]", str(photo))
    phone.fill("input[name=answer]", answer(phone))
    phone.screenshot(path=str(shots / "clue-form-phone.png"), full_page=True)
    phone.click("button:has-text('提交线索')")
    receipt = phone.locator("#receipt strong").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){4}", receipt)
    expect(phone.locator(".msg-warning")).to_contain_text("只显示这一次")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    clue = Clue.objects.get()
    assert clue.region.code in (TOWNSHIP, "330102001001") and clue.carrier_code == "G4"
    assert clue.evidence.count() == 1

    officer = login("county")
    officer.goto(f"{live_server.url}/clues/{clue.pk}/")
    officer.fill("textarea[name=text]", "已收到，已要求社区停止每晚接龙。")
    officer.click("button:has-text('发送')")
    expect(officer.locator(".thread")).to_contain_text("已要求社区停止每晚接龙")

    phone.goto(f"{live_server.url}/clues/track/")
    phone.fill("input[name=receipt]", receipt.lower())
    phone.click("button:has-text('查询')")
    expect(phone.locator("#track-messages")).to_contain_text("已要求社区停止每晚接龙")
    expect(phone.locator("#track-messages")).not_to_contain_text("county")
    phone.fill("textarea[name=text]", "谢谢，今晚已经没有接龙了。")
    phone.click("button:has-text('发送回复')")
    expect(phone.locator("#track-messages")).to_contain_text("今晚已经没有接龙了")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(shots / "clue-track-phone.png"), full_page=True)
    context.close()


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""
WATCH_CSP = """window.__violations = [];
document.addEventListener("securitypolicyviolation", e => window.__violations.push(e.violatedDirective + " " + e.blockedURI));"""


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, PHONE])
def test_clue_pages_pass_axe_and_the_content_security_policy(cast, browser, live_server, viewport):
    from jianfu.clues import actions
    from tests.cast import PASSWORD

    clue, _receipt = actions.do_file_clue(
        category="F4", region_code=TOWNSHIP, description="三张表要同一份名单", contact="13812345678"
    )
    actions.do_assign(clue, cast.county, acting_user=cast.county)
    # Two contexts: one that lets the test inject axe-core, one that watches the policy as served.
    for bypass in (True, False):
        context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=bypass)
        context.set_default_timeout(15000)
        page = context.new_page()
        page.context.add_init_script(WATCH_CSP)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        found = {}
        for path in ("/clues/new/", "/clues/track/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            found[path] = page.evaluate(RUN_AXE) if bypass and page.add_script_tag(path=str(AXE)) else []
            assert not page.evaluate("window.__violations") and not errors, path
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "county")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in ("/", "/clues/", f"/clues/{clue.pk}/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            found[path] = page.evaluate(RUN_AXE) if bypass and page.add_script_tag(path=str(AXE)) else []
            assert not page.evaluate("window.__violations") and not errors, path
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
        context.close()
        problems = [f"{path}: {v}" for path, violations in found.items() for v in violations]
        assert not problems, "\n".join(problems)
