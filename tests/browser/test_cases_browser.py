"""One case walked end to end in Chromium: opened from a finding, answered with a photo, refused, answered again,
verified by the discipline officer, drafted into a notice, published, and its .docx and .pdf downloaded and read."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from jianfu.cases.models import Case, Notice
from jianfu.findings.models import Finding
from jianfu.findings.running import run_and_store

expect = pytest.importorskip("playwright.sync_api").expect


def photo(tmp_path) -> str:
    from PIL import Image

    path = tmp_path / "整改后截图.jpg"
    image = Image.new("RGB", (80, 60), (240, 240, 240))
    exif = image.getexif()
    exif[0x013B] = "Reporter Name"
    image.save(path, "JPEG", exif=exif.tobytes())
    return str(path)


def test_a_case_from_finding_to_published_notice(cast, page, login, live_server, shots, tmp_path):
    import docx
    from pypdf import PdfReader

    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    finding = Finding.objects.get(type="forced_feature", rule="F1", items=["A1"])
    base = live_server.url

    def as_user(name):
        page.context.clear_cookies()
        return login(name)

    # The county office opens a case from the finding page.
    as_user("county")
    page.goto(f"{base}/findings/{finding.fid}/")
    page.click("#open-case")
    expect(page.locator("#open-case-form select[name=unit]")).to_have_value("330102000001")
    page.fill("#open-case-form textarea[name=demand]", "取消“清波通”的打卡签到功能，不得以打卡考核基层")
    page.fill("#open-case-form input[name=deadline]", (dt.date.today() + dt.timedelta(days=10)).isoformat())
    page.click("#open-case-form button[type=submit]")
    expect(page.locator("#case-status")).to_have_text("待整改")
    number = Case.objects.get().number
    assert page.url.endswith(f"/cases/{number}/")

    # The bureau answers with a photo; the county refuses; the bureau answers again.
    as_user("bureau")
    page.goto(f"{base}/cases/?tab=mine")
    page.click(f"a[href='/cases/{number}/']")
    page.fill("#respond-form textarea[name=text]", "已关闭打卡签到模块")
    page.set_input_files("#respond-form input[name=evidence]", photo(tmp_path))
    page.click("#respond-form button[type=submit]")
    expect(page.locator("#case-status")).to_have_text("待核验")
    expect(page.locator("#case-history")).to_contain_text("整改后截图.jpg")

    as_user("county")
    page.goto(f"{base}/cases/?tab=verify")
    page.click(f"a[href='/cases/{number}/']")
    page.fill("#verify-form textarea[name=text]", "抽查发现积分页面仍要求每日打卡")
    page.click("#verify-form button[value='0']")
    expect(page.locator("#case-status")).to_have_text("退回重新整改")

    as_user("bureau")
    page.goto(f"{base}/cases/{number}/")
    page.fill("#respond-form textarea[name=text]", "已删除积分页面的打卡入口，考核办法同步修订")
    page.click("#respond-form button[type=submit]")
    expect(page.locator("#case-status")).to_have_text("待核验")

    # The discipline officer verifies: the case closes and the finding is done.
    as_user("jiwei")
    page.goto(f"{base}/cases/{number}/")
    page.click("#verify-form button[value='1']")
    expect(page.locator("#case-status")).to_have_text("已办结")
    assert Finding.objects.get(pk=finding.pk).status == "done"
    page.select_option("#outcome-form select[name=kind]", "criticism")
    page.fill("#outcome-form textarea[name=reason]", "对分管负责人进行批评教育")
    page.click("#outcome-form button[type=submit]")
    expect(page.locator("body")).to_contain_text("对分管负责人进行批评教育")
    page.screenshot(path=str(shots / "case-detail.png"), full_page=True)

    # A notice from the ticked case, published, downloaded.
    page.goto(f"{base}/cases/")
    page.check(f"#pick-{number}")
    page.click("#notice-from-cases")
    page.fill("#notice-form input[name=title]", "关于上城区民政局强制打卡问题的通报")
    page.click("#draft-notice")
    expect(page.locator("#notice-status")).to_have_text("草稿")
    page.click("#publish")
    expect(page.locator("#notice-status")).to_have_text("已发布")
    code = Notice.objects.get().code
    texts = {}
    for kind in ("docx", "pdf"):
        with page.expect_download() as info:
            page.click(f"#download-{kind}")
        texts[kind] = open(info.value.path(), "rb").read()
    word = "\n".join(p.text for p in docx.Document(io.BytesIO(texts["docx"])).paragraphs)
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(texts["pdf"])).pages).replace("\n", "")
    for text in (word, pdf.replace(" ", "")):
        for words in (
            "关于上城区民政局强制打卡问题的通报",
            "清波通",
            "强制使用",
            "已删除积分页面的打卡入口",
            "批评教育",
        ):
            assert words in text.replace("\n", ""), words
        assert "Reporter Name" not in text

    # The public page, with no login.
    page.context.clear_cookies()
    page.goto(f"{base}/notices/")
    expect(page.locator("body")).to_contain_text("关于上城区民政局强制打卡问题的通报")
    page.goto(f"{base}/notices/{code}/")
    expect(page.locator("article.notice")).to_contain_text("清波通")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(shots / "notice-public-390.png"), full_page=True)


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_case_and_notice_pages_have_no_serious_accessibility_violation(cast, browser, live_server, viewport):
    from jianfu.cases import actions
    from jianfu.registry.models import Unit
    from tests.browser.test_accessibility import log_in, serious_violations

    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    finding = Finding.objects.get(type="forced_feature", rule="F1", items=["A1"])
    case = actions.do_open_case(
        finding,
        Unit.objects.get(code="330102000001"),
        "取消打卡",
        dt.date.today() + dt.timedelta(days=9),
        acting_user=cast.county,
    )
    case = actions.do_respond_case(case, "已取消", acting_user=cast.department)
    notice = actions.do_draft_notice([case], "关于一起问题的通报", acting_user=cast.discipline)
    context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, live_server.url, "jiwei")
        found = {}
        for path in (
            "/cases/",
            f"/cases/{case.number}/",
            "/cases/supervision/",
            "/notices/",
            f"/notices/{notice.code}/",
            "/notices/new/",
            "/notices/template/",
            f"/findings/{Finding.objects.get(type='forced_feature', rule='F3', items=['A1']).fid}/case/",
        ):
            page.goto(live_server.url + path)
            found[path] = serious_violations(page)
        assert not any(found.values()), found
    finally:
        context.close()
