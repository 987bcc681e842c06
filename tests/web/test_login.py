"""Login, logout, lockout after repeated failures, and the login wall in front of every page."""

import pytest

from jianfu.accounts.models import LoginFailure
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROTECTED = ["/", "/units/", "/people/P1/", "/apps/A1/edit/", "/groups/export/", "/import/", "/users/",
             "/platforms/"]


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


def test_five_failures_lock_the_username_at_that_address(client, cast):
    for _ in range(5):
        login(client, "county", "wrong")
    response = login(client, "county", PASSWORD)
    assert response.status_code == 429 and "15 分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address, or another username from this address, is not locked.
    assert login(client, "county", PASSWORD, ip="10.0.0.2").status_code == 302


def test_a_success_clears_the_failures(client, cast):
    for _ in range(4):
        login(client, "county", "wrong")
    assert login(client, "county", PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username="county").exists()


def test_old_failures_do_not_count(client, cast):
    from django.utils import timezone

    for _ in range(5):
        login(client, "county", "wrong")
    LoginFailure.objects.update(at=timezone.now() - timezone.timedelta(minutes=16))
    assert login(client, "county", PASSWORD).status_code == 302


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
    response = admin.post("/users/", {"username": "newbie", "unit_code": "330102001000", "role": "cadre",
                                      "password": "Xin-yong-hu-mi-ma-1"})
    assert response.status_code == 302
    from jianfu.accounts.models import User

    assert User.objects.get(username="newbie").unit.code == "330102001000"
    from jianfu.audit.models import AuditEvent

    assert AuditEvent.objects.get(object_kind="user", object_code="newbie").actor_name == "admin"


def test_simplified_chinese_is_the_default_whatever_the_browser_says(client, cast):
    login(client, "county", PASSWORD)
    assert "单位" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
