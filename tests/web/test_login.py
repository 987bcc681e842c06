"""Login, logout, throttling of repeated failures, and the login wall in front of every page."""

import time

import pytest

from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

PROTECTED = ["/", "/units/", "/people/P1/", "/apps/A1/edit/", "/groups/export/", "/import/", "/users/", "/platforms/"]


def login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_the_login_page_renders_in_chinese(client):
    body = client.get("/login/").content.decode()
    assert "用户登录" in body and 'name="password"' in body


@pytest.mark.parametrize("url", PROTECTED)
def test_every_page_sends_anonymous_visitors_to_login(client, cast, url):
    response = client.get(url)
    if url == "/platforms/":  # a plain redirect to /apps/, which is itself behind the login
        response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_a_good_password_lands_on_the_dashboard(client, cast):
    response = login(client, "county", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_next_is_honoured_but_not_offsite(client, cast):
    response = client.post("/login/?next=/groups/", {"username": "county", "password": PASSWORD, "next": "/groups/"})
    assert response["Location"] == "/groups/"
    client.logout()
    response = client.post("/login/", {"username": "county", "password": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_bad_password_is_refused(client, cast):
    response = login(client, "county", "wrong")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_locked_login_does_not_check_the_password(client, cast, monkeypatch):
    for _ in range(5):
        login(client, "county", "wrong")
    calls = []
    monkeypatch.setattr("django.contrib.auth.forms.authenticate", lambda *a, **k: calls.append(1))
    assert login(client, "county", PASSWORD).status_code == 429 and calls == []


def test_five_failures_lock_the_username_at_that_address_only(client, cast):
    for _ in range(5):
        assert login(client, "county", "wrong").status_code == 200
    response = login(client, "county", PASSWORD)
    assert response.status_code == 429 and "15 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The real user at another address is not locked out, and another username from this address is not locked.
    assert login(client, "county", PASSWORD, ip="10.0.0.2").status_code == 302
    client.logout()
    assert login(client, "province", PASSWORD).status_code == 302


def test_the_username_is_counted_whatever_its_case_or_spaces(client, cast):
    for spelling in ["county", "County", " COUNTY", "county ", "Ｃｏｕｎｔｙ"]:
        login(client, spelling, "wrong")
    assert login(client, "county", PASSWORD).status_code == 429


def test_a_success_clears_the_failures(client, cast):
    for _ in range(4):
        login(client, "county", "wrong")
    assert login(client, "county", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "county", "wrong").status_code == 200
    assert login(client, "county", PASSWORD).status_code == 302


def later(monkeypatch, seconds):
    """Move the throttle's clock forward, as if `seconds` had passed."""
    now = time.time()
    monkeypatch.setattr("jianfu.accounts.throttle.time.time", lambda: now + seconds)


def test_the_lock_ends_with_its_window(client, cast, monkeypatch):
    for _ in range(5):
        login(client, "county", "wrong")
    assert login(client, "county", PASSWORD).status_code == 429
    later(monkeypatch, 15 * 60)
    assert login(client, "county", PASSWORD).status_code == 302


def test_one_address_spraying_many_usernames_is_stopped(client, cast):
    for number in range(50):
        assert login(client, f"guess{number}", "wrong", ip="10.9.9.9").status_code == 200
    # The 51st attempt from that address is refused, even with a real password; elsewhere it works.
    assert login(client, "county", PASSWORD, ip="10.9.9.9").status_code == 429
    assert login(client, "county", PASSWORD, ip="10.9.9.10").status_code == 302


def test_an_office_behind_one_address_is_not_locked_by_its_own_good_logins(client, cast):
    for _ in range(60):
        client.logout()
        assert login(client, "county", PASSWORD, ip="10.5.5.5").status_code == 302


def test_guessing_one_username_from_many_addresses_is_slowed_not_locked(client, cast, monkeypatch):
    from django.test import Client

    # The real user's browser has logged in before (from home): it carries the signed cookie.
    assert login(client, "county", PASSWORD, ip="192.0.2.1").status_code == 302
    client.post("/logout/")  # the real log-out, which leaves the browser's other cookies alone
    botnet = Client()
    for number in range(20):
        assert login(botnet, "county", "wrong", ip=f"198.51.100.{number}").status_code == 200
    # Slowed: three attempts a minute from browsers that never logged in as county …
    for number in range(3):
        assert login(botnet, "county", "wrong", ip=f"203.0.113.{number}").status_code == 200
    response = login(botnet, "county", "wrong", ip="203.0.113.50")
    assert response.status_code == 429 and "1 分钟" in response.content.decode()
    assert login(Client(), "county", PASSWORD, ip="203.0.113.51").status_code == 429
    # … while the real user's own browser, from a new address, still gets in,
    assert login(client, "county", PASSWORD, ip="192.0.2.99").status_code == 302
    # and a minute later a new browser may try again.
    later(monkeypatch, 60)
    assert login(Client(), "county", PASSWORD, ip="203.0.113.52").status_code == 302


def test_a_forged_known_device_cookie_is_ignored(client, cast):
    from jianfu.accounts.lockout import KNOWN_DEVICE_COOKIE

    for number in range(20):
        login(client, "county", "wrong", ip=f"198.51.100.{number}")
    client.cookies[KNOWN_DEVICE_COOKIE] = "county"
    for number in range(3):
        login(client, "county", "wrong", ip=f"203.0.113.{number}")
    assert login(client, "county", PASSWORD, ip="203.0.113.9").status_code == 429


def test_logout_is_a_post(client, cast):
    login(client, "county", PASSWORD)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/")["Location"].startswith("/login/")


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_the_language_can_be_switched(client, cast):
    login(client, "county", PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Units" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hant", "next": "/"})
    assert "單位" in client.get("/").content.decode()


def test_only_administrators_manage_users(client, cast, as_user):
    assert as_user(cast.province).get("/users/").status_code == 403
    admin = as_user(cast.admin)
    assert admin.get("/users/").status_code == 200
    response = admin.post(
        "/users/",
        {"username": "newbie", "unit_code": "330102001000", "role": "cadre", "password": "Xin-yong-hu-mi-ma-1"},
    )
    assert response.status_code == 302
    from jianfu.accounts.models import User

    assert User.objects.get(username="newbie").unit.code == "330102001000"
    from jianfu.audit.models import AuditEvent

    assert AuditEvent.objects.get(object_kind="user", object_code="newbie").actor_name == "admin"


def test_simplified_chinese_is_the_default_whatever_the_browser_says(client, cast):
    login(client, "county", PASSWORD)
    assert "单位" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
