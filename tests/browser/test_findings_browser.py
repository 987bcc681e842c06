"""The findings page in Chromium: the reject trap (a reject that lacked its reason stays a reject), and the
cards that follow the filter without a reload."""

from __future__ import annotations

import datetime as dt

import pytest

from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store

# Skipped, not failed, where Playwright is not installed (the conftest also skips without Chromium).
expect = pytest.importorskip("playwright.sync_api").expect


def test_a_reject_without_reason_stays_a_reject_until_the_reason_is_given(cast, login, live_server, shots):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    finding = Finding.objects.get(type="forced_feature", rule="F1", items=["A1"])
    page = login("county")
    page.goto(f"{live_server.url}/findings/{finding.fid}/")
    page.select_option("#decide-form select[name=status]", "rejected")
    page.click("#decide-form button[type=submit]")
    expect(page.locator(".msg-error")).to_have_count(1)
    expect(page.locator(".msg-error")).to_contain_text("驳回必须填写理由")
    expect(page.locator("#decide-form select[name=status]")).to_have_value("rejected")
    page.screenshot(path=str(shots / "finding-reject-needs-reason.png"), full_page=True)
    page.fill("#decide-form input[name=reason]", "该应用已按要求取消打卡")
    page.click("#decide-form button[type=submit]")
    expect(page.locator(".msg-success")).to_have_count(1)
    finding.refresh_from_db()
    assert finding.status == "rejected" and finding.decision_reason == "该应用已按要求取消打卡"


def test_the_cards_follow_the_filter_without_a_reload(cast, login, live_server):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    page = login("province")
    page.goto(f"{live_server.url}/findings/")
    total = page.locator("#finding-cards .stat").first.locator(".value")
    everything = total.inner_text()
    page.evaluate("window.__same_page = true")
    page.select_option("select[name=action]", "merge")
    expect(total).not_to_have_text(everything)
    expect(total).to_have_text(str(Finding.objects.filter(action="merge").count()))
    assert page.evaluate("window.__same_page === true")  # htmx swapped the results; no reload
