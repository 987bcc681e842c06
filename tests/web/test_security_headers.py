"""Security headers on every page, HTTPS behind a proxy, and the app's own CSRF, 400 and 500 pages."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from jianfu.security.headers import CONTENT_SECURITY_POLICY
from tests.settings_probe import settings_from_env
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db

SITE = "jianfu.example.gov.cn"
HTTPS_SETTINGS = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS")


@pytest.fixture
def behind_proxy(settings):
    """The site as nginx forwards it: its public name in Host, TLS terminated in front."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SITE]
    return Client(enforce_csrf_checks=True, HTTP_HOST=SITE, HTTP_X_FORWARDED_PROTO="https")


def use_environment(settings, tmp_path, **env):
    probed = settings_from_env(tmp_path, **env)
    for name in (*HTTPS_SETTINGS, "CSRF_TRUSTED_ORIGINS"):
        setattr(settings, name, probed[name])


def log_in_through_the_proxy(client: Client):
    client.get("/login/")
    token = client.cookies["csrftoken"].value
    return client.post(
        "/login/",
        {"username": "county", "password": PASSWORD, "csrfmiddlewaretoken": token},
        HTTP_ORIGIN=f"https://{SITE}",
        HTTP_REFERER=f"https://{SITE}/login/",
    )


@pytest.mark.parametrize("path", ["/login/", "/", "/groups/", "/filings/", "/no-such-page/"])
def test_every_answer_carries_the_policy_headers(cast, as_user, path):
    response = as_user(cast.county).get(path)
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in policy and directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_plain_http_gets_no_hsts_and_no_secure_cookies(cast, client):
    response = client.get("/login/")
    assert "Strict-Transport-Security" not in response
    assert not response.cookies["csrftoken"]["secure"]


def test_login_behind_a_tls_proxy_fails_without_the_https_setting(cast, behind_proxy):
    """The browser sends Origin https://site; Django, seeing plain http from nginx, took it for a foreign site."""
    response = log_in_through_the_proxy(behind_proxy)
    assert response.status_code == 403
    page = response.content.decode()
    assert "提交未被接受" in page and "JIANFU_HTTPS" in page
    assert "DEBUG" not in page  # not Django's page telling users to turn on debugging


def test_login_behind_a_tls_proxy_works_with_jianfu_https(cast, behind_proxy, settings, tmp_path):
    use_environment(settings, tmp_path, JIANFU_HTTPS="1")
    response = log_in_through_the_proxy(behind_proxy)
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["sessionid"]["secure"] and response.cookies["sessionid"]["httponly"]
    assert behind_proxy.cookies["csrftoken"]["secure"]
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert behind_proxy.get("/").status_code == 200


def test_login_behind_a_tls_proxy_works_with_trusted_origins_alone(cast, behind_proxy, settings, tmp_path):
    use_environment(settings, tmp_path, JIANFU_CSRF_TRUSTED_ORIGINS=f"https://{SITE}")
    assert log_in_through_the_proxy(behind_proxy).status_code == 302


def test_a_forged_origin_is_still_refused_with_https_on(cast, behind_proxy, settings, tmp_path):
    use_environment(settings, tmp_path, JIANFU_HTTPS="1")
    behind_proxy.get("/login/")
    response = behind_proxy.post(
        "/login/",
        {"username": "county", "password": PASSWORD, "csrfmiddlewaretoken": behind_proxy.cookies["csrftoken"].value},
        HTTP_ORIGIN="https://evil.example.com",
    )
    assert response.status_code == 403


def test_the_csrf_page_speaks_the_users_language(cast, client, settings):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = csrf_client.post("/login/", {"username": "county", "password": PASSWORD}).content.decode()
    assert "Your submission was not accepted" in page
    csrf_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    page = csrf_client.post("/login/", {"username": "county", "password": PASSWORD}).content.decode()
    assert "為保護您的帳號" in page


def test_an_unknown_host_gets_the_apps_400_page(client):
    response = client.get("/login/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


def test_a_server_error_gets_the_apps_500_page():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and "错误已记入日志" in page
