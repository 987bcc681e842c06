"""Two-factor login: enrolment, the code step, backup codes, removal, throttling and the per-region policy."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jianfu.accounts.models import TwoFactorPolicy
from jianfu.audit.models import AuditEvent
from tests.cast import COUNTY, PASSWORD, PROVINCE, SIBLING

pytestmark = pytest.mark.django_db


def password_step(client, username, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": PASSWORD, "next": "/groups/"}, REMOTE_ADDR=ip)


def code_now(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code an authenticator app shows now, from the device's key, the way the phone computes it."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def enrol(client, user) -> tuple[TOTPDevice, list[str]]:
    client.force_login(user)
    page = client.get("/account/two-factor/").content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    body = client.post("/account/two-factor/", {"action": "confirm", "token": code_now(device)}).content.decode()
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", body)
    device.refresh_from_db()
    return device, codes


def test_enrolment_shows_a_qr_code_drawn_here_and_confirms_with_a_code(client, cast):
    client.force_login(cast.county)
    page = client.get("/account/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=cast.county, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )
    assert secret and secret in device.config_url
    response = client.post("/account/two-factor/", {"action": "confirm", "token": "000000"})
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    _device, codes = enrol(client, cast.county)
    assert len(codes) == 10 and StaticToken.objects.filter(device__user=cast.county).count() == 10
    assert AuditEvent.objects.get(object_kind="user", object_code="county").changes == {"two_factor": [False, True]}
    assert "剩余备用码 10 个" in client.get("/account/two-factor/").content.decode()


def test_with_a_device_the_password_alone_does_not_open_a_page(client, cast):
    device, _codes = enrol(client, cast.county)
    client.logout()
    response = password_step(client, "county")
    assert response.status_code == 302 and response["Location"].startswith("/login/otp/?next=")
    for url in ["/", "/groups/", "/account/two-factor/", "/users/"]:
        assert client.get(url)["Location"].startswith("/login/otp/")
    right = client.post("/login/otp/", {"token": code_now(device, 1), "next": "/groups/"})
    assert right.status_code == 302 and right["Location"] == "/groups/"
    assert client.get("/groups/").status_code == 200


def test_a_code_is_not_accepted_twice(client, cast):
    device, _codes = enrol(client, cast.county)
    client.logout()
    password_step(client, "county")
    code = code_now(device, 1)
    assert client.post("/login/otp/", {"token": code})["Location"] == "/"
    client.post("/logout/")
    password_step(client, "county")
    assert client.post("/login/otp/", {"token": code}).status_code == 200


def test_a_backup_code_works_once(client, cast):
    _device, codes = enrol(client, cast.county)
    client.logout()
    password_step(client, "county")
    assert client.post("/login/otp/", {"token": codes[0]}).status_code == 302
    client.post("/logout/")
    password_step(client, "county")
    assert client.post("/login/otp/", {"token": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=cast.county).count() == 9


def test_code_guessing_is_throttled_like_passwords(client, cast):
    device, _codes = enrol(client, cast.county)
    client.logout()
    password_step(client, "county")
    for number in range(5):
        wrong = client.post("/login/otp/", {"token": f"{number:06d}"})
        assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    # (django-otp also backs off per device after each failure; our counter refuses before it is asked.)
    response = client.post("/login/otp/", {"token": code_now(device, 1)})
    assert response.status_code == 429 and "15 分钟" in response.content.decode()
    assert client.get("/")["Location"].startswith("/login/otp/")


def test_code_guessing_from_many_addresses_is_capped_per_user(client, cast):
    device, _codes = enrol(client, cast.county)
    client.logout()
    password_step(client, "county")
    for number in range(10):
        client.post("/login/otp/", {"token": f"{number:06d}"}, REMOTE_ADDR=f"198.51.100.{number // 4}")
    assert client.post("/login/otp/", {"token": code_now(device, 1)}, REMOTE_ADDR="192.0.2.1").status_code == 429


def test_removing_the_device_needs_the_password(client, cast):
    enrol(client, cast.county)
    response = client.post("/account/two-factor/", {"action": "remove", "password": "wrong"})
    assert "密码不正确" in response.content.decode() and TOTPDevice.objects.filter(user=cast.county).exists()
    response = client.post("/account/two-factor/", {"action": "remove", "password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.county).exists()
    assert not StaticToken.objects.filter(device__user=cast.county).exists()
    assert AuditEvent.objects.filter(object_code="county", changes={"two_factor": [True, False]}).exists()
    client.post("/logout/")
    assert password_step(client, "county")["Location"] == "/groups/"


def test_a_required_user_without_a_device_can_only_enrol(client, cast):
    client.force_login(cast.admin)
    client.post(f"/two-factor/policy/{COUNTY}/", {"roles": ["discipline"]})
    client.logout()
    response = password_step(client, "jiwei")
    for url in ["/", "/groups/", "/login/otp/", "/users/"]:
        assert client.get(url)["Location"] == "/account/two-factor/"
    page = client.get("/account/two-factor/").content.decode()
    assert response.status_code == 302 and "要求您的角色使用两步验证" in page
    device = TOTPDevice.objects.get(user=cast.discipline, confirmed=False)
    client.post("/account/two-factor/", {"action": "confirm", "token": code_now(device)})
    assert client.get("/groups/").status_code == 200


def test_a_role_or_region_the_policy_does_not_name_is_not_asked(client, cast):
    TwoFactorPolicy.objects.create(unit=cast.county.unit, roles=["discipline"])
    assert password_step(client, "county")["Location"] == "/groups/"
    assert client.get("/groups/").status_code == 200
    client.post("/logout/")
    assert password_step(client, "outsider")["Location"] == "/groups/"
    assert client.get("/groups/").status_code == 200


def test_a_policy_above_applies_below_and_unitless_admins_follow_the_root(client, cast):
    from jianfu.accounts.two_factor import requires_two_factor

    TwoFactorPolicy.objects.create(unit=cast.province.unit, roles=["discipline", "admin"])
    assert requires_two_factor(cast.discipline) and requires_two_factor(cast.admin)
    assert not requires_two_factor(cast.county)


def test_the_policy_page_by_role_and_region(client, cast, as_user):
    url = f"/two-factor/policy/{COUNTY}/"
    assert as_user(None).get(url)["Location"].startswith("/login/")
    assert as_user(cast.cadre).get(url).status_code in (403, 404)
    assert as_user(cast.discipline).get(url).status_code == 403
    assert as_user(cast.outsider).get(url).status_code == 404  # another county's office: outside its region
    assert as_user(cast.county).get(url).status_code == 403  # an office cannot relax its own region
    province = as_user(cast.province)
    assert province.get(url).status_code == 200
    assert province.post(url, {"roles": ["discipline", "office"]}).status_code == 302
    assert TwoFactorPolicy.objects.get(unit__code=COUNTY).roles == ["discipline", "office"]
    event = AuditEvent.objects.get(object_kind="two_factor_policy", object_code=COUNTY)
    assert event.actor_name == "province" and event.changes == {"roles": [[], ["discipline", "office"]]}
    assert province.post(url, {"roles": ["cadre"]}).status_code == 200  # not a choice
    assert province.post(url, {}).status_code == 302
    assert not TwoFactorPolicy.objects.filter(unit__code=COUNTY).exists()
    admin = as_user(cast.admin)
    assert admin.get(f"/two-factor/policy/{PROVINCE}/").status_code == 200
    assert admin.post(f"/two-factor/policy/{PROVINCE}/", {"roles": ["admin", "discipline"]}).status_code == 302
    # The administrators' own rule now applies to them too: enrol before anything else.
    assert admin.get(f"/two-factor/policy/{SIBLING}/")["Location"] == "/account/two-factor/"
    assert "浙江省（系统管理员、纪检监察）" in as_user(cast.province).get(url).content.decode()


@pytest.mark.parametrize("language, expected", [("en", "Scan the QR code"), ("zh-hant", "掃描下面的二維碼")])
def test_the_enrolment_page_is_translated(client, cast, language, expected):
    client.force_login(cast.county)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert expected.lower() in client.get("/account/two-factor/").content.decode().lower()


def test_the_unit_page_links_to_the_policy_for_those_who_may_set_it(cast, as_user):
    link = f'href="/two-factor/policy/{COUNTY}/"'
    assert link in as_user(cast.province).get(f"/units/{COUNTY}/").content.decode()
    assert link not in as_user(cast.county).get(f"/units/{COUNTY}/").content.decode()
    assert link not in as_user(cast.discipline).get(f"/units/{COUNTY}/").content.decode()


@pytest.mark.parametrize("url", ["/account/two-factor/", "/login/otp/"])
def test_anonymous_visitors_are_sent_to_the_password_step(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_the_code_step_without_a_device_just_moves_on(client, cast):
    client.force_login(cast.county)
    assert client.get("/login/otp/?next=/groups/")["Location"] == "/groups/"
    assert client.get("/login/otp/?next=https://evil.example/")["Location"] == "/"
