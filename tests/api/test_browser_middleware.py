"""The browser's middleware (the session's login, two-factor, messages) stands aside for /api/: a cookie is no
credential there, while the web pages keep their logins and CSRF check."""

import pytest
from django.test import Client

from jianfu.api.models import ApiToken
from jianfu.api.tokens import do_create_token
from jianfu.findings.models import Finding
from tests.web.conftest import BUREAU

pytestmark = pytest.mark.django_db

# A CSRF secret of our own choosing: the cookie and the header carry the same one, which CsrfViewMiddleware accepts.
CSRF_SECRET = "k" * 32


@pytest.fixture
def browser(analysed, settings):
    """The county officer logged in, with CSRF checks on as in a real browser, holding a valid CSRF pair."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(analysed.county)
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def test_a_session_with_a_valid_csrf_pair_still_cannot_decide(analysed, browser):
    # What a script on the site itself could send: the session cookie and a CSRF token. The API reads neither.
    finding = Finding.objects.filter(owner__code=BUREAU).order_by("fid").first()
    response = browser.post(
        f"/api/v1/findings/{finding.fid}/decision/",
        {"decision": "accept"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_a_token_decides_whatever_cookies_come_with_it(analysed, browser):
    finding = Finding.objects.filter(owner__code=BUREAU).order_by("fid").first()
    raw = do_create_token(analysed.county, acting_user=analysed.county)[1]
    response = browser.post(
        f"/api/v1/findings/{finding.fid}/decision/",
        {"decision": "accept"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 200, response.content
    assert Finding.objects.get(pk=finding.pk).status == "accepted"


def test_the_web_pages_still_check_csrf(analysed, browser):
    token, _raw = do_create_token(analysed.county, acting_user=analysed.county)
    assert browser.post(f"/account/tokens/{token.pk}/revoke/").status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert browser.post(f"/account/tokens/{token.pk}/revoke/", HTTP_X_CSRFTOKEN=CSRF_SECRET).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_an_api_answer_neither_reads_nor_writes_the_session(analysed, browser):
    raw = do_create_token(analysed.county, acting_user=analysed.county)[1]
    response = browser.get("/api/v1/groups/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert not response.cookies  # no session, CSRF or messages cookie
    assert "Cookie" not in response.get("Vary", "")
    assert response.get("X-Frame-Options") == "DENY" and response.get("Content-Security-Policy")
