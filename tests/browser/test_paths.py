"""The seven paths a person takes through the app, in a real browser."""

from __future__ import annotations

import re
import threading

import openpyxl
import pytest

from jianfu.jobs import worker
from tests.builders import write_xlsx
from tests.cast import BUREAU, PASSWORD

# Skipped, not failed, where Playwright is not installed (the conftest also skips without Chromium).
expect = pytest.importorskip("playwright.sync_api").expect


def test_1_log_in_and_land_on_the_dashboard(cast, page, live_server, shots):
    page.goto(f"{live_server.url}/groups/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/groups/"))
    page.fill("#id_username", "county")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator(".errorlist")).to_be_visible()
    page.fill("#id_username", "county")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/groups/")
    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_contain_text("上城区")
    expect(page.locator("[data-kind=groups] .value")).to_have_text("3")
    page.wait_for_function("document.querySelector('#chart-kinds canvas') !== null")
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)


def test_2_search_and_filter(cast, login, live_server, shots):
    page = login("county")
    page.goto(f"{live_server.url}/groups/")
    page.fill("input[name=q]", "防汛工作羣")  # Traditional input finds the Simplified name
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("防汛工作群")
    expect(page).to_have_url(re.compile(r"q=%E9%98%B2"))
    page.fill("input[name=q]", "")
    page.select_option("select[name=platform]", "钉钉")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.locator("#results")).to_contain_text("森林防火群")
    expect(page.locator("#results")).not_to_contain_text("拱墅")
    page.select_option("select[name=platform]", "")
    expect(page.locator("#results tbody tr")).to_have_count(3)
    page.screenshot(path=str(shots / "group-list.png"), full_page=True)


def test_3_open_a_group_and_its_overlapping_groups(cast, login, live_server, shots):
    page = login("county")
    page.goto(f"{live_server.url}/groups/")
    page.click("text=防汛工作群")
    expect(page.locator("h1")).to_contain_text("防汛工作群")
    expect(page.locator("#members")).to_contain_text("138****5678")
    overlaps = page.locator("#overlaps tbody tr")
    expect(overlaps).to_have_count(2)
    expect(overlaps.first).to_contain_text("清波社区网格群")
    page.screenshot(path=str(shots / "group-detail.png"), full_page=True)
    overlaps.first.locator("a").click()
    expect(page).to_have_url(f"{live_server.url}/groups/G4/")


def test_4_edit_an_app_and_see_its_history(cast, login, live_server):
    page = login("county")
    page.goto(f"{live_server.url}/apps/A1/")
    page.click("text=编辑")
    page.fill("#id_name", "清波通二期")
    page.fill("#id_forced_features", "打卡签到")
    page.click("button:has-text('保存')")
    expect(page).to_have_url(f"{live_server.url}/apps/A1/")
    expect(page.locator(".messages")).to_contain_text("已保存 2 项修改")
    history = page.locator("#history tbody")
    expect(history).to_contain_text("清波通二期")
    expect(history).to_contain_text("county")


def test_5_upload_a_file_with_a_bad_cell_and_read_the_rejection(cast, login, live_server, tmp_path, shots):
    path = write_xlsx(
        tmp_path / "应用补充.xlsx",
        [
            ["编号", "名称", "类别", "主管单位", "上线日期"],
            ["A7", "好应用", "APP", BUREAU, "2024-05-01"],
            ["A8", "坏应用", "APP", BUREAU, "2024/13/45"],
        ],
    )
    stop = threading.Event()
    worker._thread = None
    thread = worker.start_worker_thread(poll_seconds=0.2, stop=stop)
    try:
        page = login("county")
        page.goto(f"{live_server.url}/import/")
        page.set_input_files("#id_files", str(path))
        page.click("button:has-text('开始导入')")
        expect(page).to_have_url(re.compile(r"/import/[0-9a-f-]{36}/$"))
        rejections = page.locator("#rejections")
        expect(rejections).to_be_visible(timeout=30000)
        row = rejections.locator("tbody tr").first
        expect(row).to_contain_text("应用补充.xlsx")
        expect(row).to_contain_text("上线日期")
        expect(row).to_contain_text("2024/13/45")
        expect(row.locator("td").nth(2)).to_have_text("3")  # the spreadsheet row, header included
        page.screenshot(path=str(shots / "import-report.png"), full_page=True)
    finally:
        stop.set()
        worker.wake()
        thread.join(timeout=10)
        worker._thread = None


def test_6_export_a_list_to_excel(cast, login, live_server, tmp_path):
    page = login("county")
    page.goto(f"{live_server.url}/people/")
    with page.expect_download() as info:
        page.click("text=导出 Excel")
    target = tmp_path / "people.xlsx"
    info.value.save_as(target)
    sheet = openpyxl.load_workbook(target).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "姓名", "手机号（脱敏）")
    assert {r[0] for r in rows[1:]} == {"P1", "P2", "P3"}
    assert all("****" in r[2] for r in rows[1:])


def test_7_an_out_of_scope_officer_is_refused(cast, login, live_server):
    page = login("outsider")
    response = page.goto(f"{live_server.url}/groups/G1/")
    assert response.status == 404
    expect(page.locator("h1")).to_contain_text("页面不存在")
    page.goto(f"{live_server.url}/groups/")
    expect(page.locator("#results")).not_to_contain_text("防汛工作群")
    expect(page.locator("#results")).to_contain_text("拱墅防汛群")
