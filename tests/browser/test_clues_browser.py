"""A reporter on a phone (390 px) files a clue with a photo, keeps the receipt, and later reads the handler's
reply on the tracking page; the handler answers from the triage page."""

from __future__ import annotations

import re

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
