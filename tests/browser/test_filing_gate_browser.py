"""The filing gate's two duplicate cases in Chromium, at desktop and phone width: a group proposed under the
exact name of one the department already owns, with no members; and a group whose 40 members all sit in one
existing group. Each shows criterion 2 不符合 and the F4 flag — in 预审 before submission and on the proposal
page after — and the reviewer's form is not pre-filled 符合."""

from __future__ import annotations

import pytest

from tests.filings.gate_data import add_group, add_people
from tests.web.conftest import BUREAU, COMMUNITY

expect = pytest.importorskip("playwright.sync_api").expect

WIDTHS = [1366, 390]


def fill_group(page, live_server, name: str, members: str) -> None:
    page.goto(f"{live_server.url}/filings/new/groups/")
    page.fill("#id_name", name)
    page.fill("#id_platform", "微信")
    page.select_option("#id_nature", "standing")
    page.fill("#id_purpose", "汛期值守信息传达")
    page.fill("#id_members", members)
    page.fill("#id_justification", "汛期信息传达")
    page.fill("#id_expected_users", "全区网格员")


def expect_gate(scope, existing_code: str) -> None:
    """Criterion 2 不符合 with the existing group named, and the F4 flag citing it."""
    criterion = scope.locator("#criteria [data-criterion='2']")
    expect(criterion).to_have_attribute("data-answer", "no")
    expect(criterion).to_contain_text("不符合")
    flag = scope.locator("#violations [data-rule=F4]")
    expect(flag).to_be_visible()
    expect(flag).to_have_attribute("data-severity", "flag")
    expect(flag).to_contain_text(existing_code)
    expect(scope.locator("#similar tbody tr").first).to_have_attribute("data-code", existing_code)


def precheck_then_submit(page, existing_code: str, shots, label: str, width: int) -> None:
    page.click("#precheck-button")
    result = page.locator("#draft-precheck-result")
    expect(result).to_be_visible()
    expect_gate(result, existing_code)
    page.screenshot(path=str(shots / f"gate-{label}-precheck-{width}.png"), full_page=True)
    page.click("button:has-text('保存并提交')")
    expect(page.locator("#status")).to_have_attribute("data-status", "in_review")
    expect_gate(page.locator("#precheck"), existing_code)
    page.screenshot(path=str(shots / f"gate-{label}-proposal-{width}.png"), full_page=True)


def reviewer_sees_no_preset_yes(page, login, live_server, name: str) -> None:
    page.context.clear_cookies()
    login("county")
    page.goto(f"{live_server.url}/filings/?tab=review")
    page.locator("#proposals").get_by_role("link", name=name).click()
    expect_gate(page.locator("#precheck"), page.locator("#similar tbody tr").first.get_attribute("data-code"))
    expect(page.locator("#approve-form select[name=criterion_2]")).to_have_value("no")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_same_name_group_without_members_is_stopped(cast, login, live_server, shots, width):
    page = login("bureau")
    page.set_viewport_size({"width": width, "height": 900})
    fill_group(page, live_server, "防汛工作群", "")
    precheck_then_submit(page, "G1", shots, "same-name", width)
    expect(page.locator("#violations [data-rule=F4]")).to_contain_text("同名")
    reviewer_sees_no_preset_yes(page, login, live_server, "防汛工作群")


@pytest.mark.parametrize("width", WIDTHS)
def test_forty_members_all_in_one_group_is_stopped(cast, login, live_server, shots, width):
    people = add_people(70, COMMUNITY)
    add_group("G70", "社区综合工作群", BUREAU, people)
    page = login("bureau")
    page.set_viewport_size({"width": width, "height": 900})
    fill_group(page, live_server, "社区志愿服务群", "\n".join(p.code for p in people[:40]))
    precheck_then_submit(page, "G70", shots, "forty-members", width)
    expect(page.locator("#violations [data-rule=F4]")).to_contain_text("已在该群中")
    reviewer_sees_no_preset_yes(page, login, live_server, "社区志愿服务群")
