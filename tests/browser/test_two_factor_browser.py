"""Two-factor login in Chromium: an office required to use it enrols by the key shown, then logs in with a code."""

from __future__ import annotations

import base64
import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
import pytest

from jianfu.accounts.models import TwoFactorPolicy
from tests.cast import PASSWORD

# Skipped, not failed, where Playwright is not installed (the conftest also skips without Chromium).
expect = pytest.importorskip("playwright.sync_api").expect


def code_from_key(base32_key: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this key (RFC 6238: 30-second steps, 6 digits)."""
    key = base64.b32decode(base32_key.replace(" ", "") + "=" * (-len(base32_key.replace(" ", "")) % 8))
    return f"{totp(key, step=30, digits=6, drift=steps_ahead):06d}"


def wait_out_back_off(page, username: str) -> None:
    """Wait until django-otp accepts a code again after a wrong one (it backs off 1 s, then 2 s, 4 s …).

    Read from the device itself rather than sleeping a fixed time: on a loaded machine a fixed wait can end
    before the back-off that started when the server recorded the failure.
    """
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    for _ in range(100):
        device.refresh_from_db()
        if device.verify_is_allowed()[0]:
            return
        page.wait_for_timeout(200)
    raise AssertionError("django-otp still throttles after 20 s")


def test_a_required_officer_enrols_and_logs_in_with_a_code(cast, login, live_server, shots):
    TwoFactorPolicy.objects.create(unit=cast.county.unit, roles=["discipline"])
    page = login("jiwei")
    expect(page).to_have_url(f"{live_server.url}/account/two-factor/")
    page.goto(f"{live_server.url}/groups/")  # nothing else opens before enrolment
    expect(page).to_have_url(f"{live_server.url}/account/two-factor/")
    expect(page.locator(".qr svg")).to_be_visible()
    page.screenshot(path=str(shots / "two-factor-enrol.png"), full_page=True)
    key = page.locator("#totp-secret").inner_text()
    page.fill("#id_token", code_from_key(key))
    page.click("text=确认启用")
    codes = page.locator(".backup-codes code")
    expect(codes).to_have_count(10)
    page.click("text=继续")
    expect(page).to_have_url(f"{live_server.url}/")

    page.click("button:has-text('退出')")
    expect(page).to_have_url(re.compile(r"/login/$"))
    page.fill("#id_username", "jiwei")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/otp/"))
    page.fill("#id_token", "000000")
    page.click("button:has-text('验证')")
    expect(page.locator(".errorlist")).to_contain_text("验证码不正确")
    wait_out_back_off(page, "jiwei")
    page.fill("#id_token", code_from_key(key, steps_ahead=1))  # the enrolment code may not be used twice
    page.click("button:has-text('验证')")
    # A loaded CI machine (both suites side by side) can take longer than the default 5 s for the redirect.
    expect(page).to_have_url(f"{live_server.url}/", timeout=20_000)
    page.goto(f"{live_server.url}/groups/")
    expect(page.locator("h1")).to_contain_text("工作群")
