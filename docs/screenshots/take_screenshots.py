#!/usr/bin/env python3
"""Take the screenshots in this folder from a running Jianfu (the generated sample county reads best).

    JIANFU_HOME=/tmp/jf jianfu demo --no-serve        # sample county, prints a demo login
    JIANFU_HOME=/tmp/jf jianfu serve --port 8765 &
    python docs/screenshots/take_screenshots.py --url http://127.0.0.1:8765 --user demo --password …

Also takes phone-*.png at 390 px wide. Uses Debian's Chromium through Playwright (never a downloaded browser).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def bad_people_file(folder: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["人员补充名单"], ["人员编号", "姓名", "手机号码", "所属单位", "职务"],
                ["PX1", "周八", "13800001111", "330000000000", "干事"],
                ["PX2", "吴九", "1380000111", "330000000000", "干事"],
                ["PX3", "郑十", "13800002222", "999999", "网格员"]]:
        sheet.append(row)
    path = folder / "人员补充.xlsx"
    book.save(path)
    return path


def phone_screens(browser, args, out: Path) -> None:
    """The same app on a 390 px phone: stacked cards, one-column forms, the navigation folded into a menu."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(args.url + "/login/")
    page.fill("#id_username", args.user)
    page.fill("#id_password", args.password)
    page.click("button[type=submit]")
    page.wait_for_selector("#chart-units canvas")  # not wait_for_function: the CSP refuses its eval
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "phone-dashboard.png"), full_page=True, clip={"x": 0, "y": 0, "width": 390, "height": 1800})
    page.goto(args.url + "/groups/?sort=members")
    page.screenshot(path=str(out / "phone-group-list.png"))
    page.goto(args.url + "/findings/?type=duplicate_groups")
    page.goto(args.url + page.locator("#results tbody tr a").first.get_attribute("href"))
    page.screenshot(path=str(out / "phone-finding-detail.png"))
    page.goto(args.url + "/filings/new/groups/")
    page.screenshot(path=str(out / "phone-filing-form.png"), full_page=True)
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent))
    args = parser.parse_args()
    out = Path(args.out)
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(args.url + "/login/")
        page.screenshot(path=str(out / "login.png"))
        page.fill("#id_username", args.user)
        page.fill("#id_password", args.password)
        page.click("button[type=submit]")
        page.wait_for_selector("#chart-units canvas")  # not wait_for_function: the CSP refuses its eval
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "dashboard.png"), full_page=True)
        page.goto(args.url + "/groups/?sort=members")
        page.screenshot(path=str(out / "group-list.png"))
        page.goto(args.url + page.locator("#results tbody tr a").first.get_attribute("href"))
        page.screenshot(path=str(out / "group-detail.png"))
        page.goto(args.url + "/import/")
        page.set_input_files("#id_files", str(bad_people_file(Path(tmp))))
        page.click("button:has-text('开始导入')")
        page.wait_for_selector("#rejections", timeout=60000)
        page.screenshot(path=str(out / "import-report.png"), full_page=True)
        page.goto(args.url + "/findings/")
        page.screenshot(path=str(out / "findings.png"))
        page.goto(args.url + "/findings/?type=duplicate_groups")
        page.goto(args.url + page.locator("#results tbody tr a").first.get_attribute("href"))
        page.screenshot(path=str(out / "finding-detail.png"), full_page=True)
        page.goto(args.url + "/filings/")
        page.screenshot(path=str(out / "filings.png"))
        phone_screens(browser, args, out)
        browser.close()


if __name__ == "__main__":
    main()
