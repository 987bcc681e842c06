"""一表通 in Chromium: an office issues a form, a cadre opens it on a phone, sees what was pre-filled and from where,
fills the rest and submits; a second form asking the same elements then arrives pre-filled with those values."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest

from jianfu.elements.models import HeldValue, IssueCopy
from tests.elements.catalog import import_catalog

expect = pytest.importorskip("playwright.sync_api").expect

PHONE = {"width": 390, "height": 844}


def test_issue_fill_on_a_phone_and_see_it_prefilled_in_a_second_form(cast, page, login, live_server, shots):
    import_catalog(Path(tempfile.mkdtemp(prefix="catalog-")))
    HeldValue.objects.filter(element__code="DE002").delete()  # held: 低保户数 only; the cadre supplies 低保人数
    deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()

    def switch(username):
        page.context.clear_cookies()
        login(username)

    switch("county")
    page.goto(f"{live_server.url}/forms/F1/")
    page.get_by_role("link", name="下发这张报表").click()
    page.fill("#i-period", "2026-11")
    page.fill("#i-deadline", deadline)
    page.get_by_role("button", name="下发").click()
    expect(page.locator("h1")).to_contain_text("低保对象月报表")
    expect(page.locator(".stats")).to_contain_text("50%")

    page.set_viewport_size(PHONE)
    switch("cadre")
    page.goto(f"{live_server.url}/elements/issues/")
    page.get_by_role("link", name="低保对象月报表").click()
    households = page.get_by_label("1. 低保户数（户）")
    expect(households).to_have_value("42")
    expect(page.locator(".prefill-source").first).to_contain_text("民政统计平台")
    people = page.get_by_label("2. 低保人数（人）")
    expect(people).to_have_value("")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(shots / "elements-fill-phone.png"), full_page=True)

    people.fill("-3")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("alert").first).to_contain_text("不能为负数")
    page.get_by_label("2. 低保人数（人）").fill("87")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#prefill-summary")).to_contain_text("已提交")
    assert IssueCopy.objects.get(issue__form__code="F1").status == "submitted"

    page.set_viewport_size({"width": 1366, "height": 900})
    switch("county")
    page.goto(f"{live_server.url}/forms/F3/")
    page.get_by_role("link", name="下发这张报表").click()
    page.fill("#i-period", "2026-11")
    page.fill("#i-deadline", deadline)
    page.get_by_role("button", name="下发").click()

    page.set_viewport_size(PHONE)
    switch("cadre")
    page.goto(f"{live_server.url}/elements/issues/")
    page.get_by_role("link", name="困难群众情况季报").click()
    expect(page.get_by_label("1. 低保家庭户数（户）")).to_have_value("42")
    expect(page.get_by_label("2. 低保对象人数（人）")).to_have_value("87")
    expect(page.locator(".prefill-source").nth(1)).to_contain_text("F1")
    expect(page.get_by_label("3. 常住人口（人）")).to_have_value("")
    expect(page.locator("#prefill-summary")).to_contain_text("2 / 3")
    page.screenshot(path=str(shots / "elements-second-form-phone.png"), full_page=True)
