"""API tokens: `jianfu token`, hash-only storage, expiry, revocation, deactivated users, audit, last use, web page."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from jianfu.api.models import ApiToken
from jianfu.api.tokens import do_create_token
from jianfu.audit.models import AuditEvent
from jianfu.cli import main

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_cli_prints_a_token_that_works_and_stores_only_its_hash(cast, client, capsys):
    assert main(["token", "create", "county"]) == 0
    raw = capsys.readouterr().out.strip()
    token = ApiToken.objects.get(user=cast.county)
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest() and raw.startswith(token.prefix)
    assert raw not in str(list(ApiToken.objects.values()))
    assert (token.expires_at - timezone.now()).days in (89, 90)
    assert client.get("/api/v1/units/", **bearer(raw)).status_code == 200
    event = AuditEvent.objects.get(action="token.create")
    assert event.changes["token"] == [None, token.id] and event.unit_path == cast.county.unit.path


def test_the_cli_revokes_all_of_a_users_tokens(cast, client, capsys):
    raws = [do_create_token(cast.county, acting_user=None)[1] for _ in range(2)]
    assert main(["token", "revoke", "county"]) == 0
    assert "2" in capsys.readouterr().out
    for raw in raws:
        assert client.get("/api/v1/units/", **bearer(raw)).status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke").count() == 2


def test_the_cli_refuses_an_unknown_user(cast, capsys):
    assert main(["token", "create", "nobody"]) == 1
    assert "nobody" in capsys.readouterr().err


def test_the_lifetime_comes_from_settings(cast, settings):
    settings.JIANFU_API_TOKEN_DAYS = 7
    token, _raw = do_create_token(cast.county, acting_user=None)
    assert (token.expires_at - timezone.now()).days in (6, 7)


def test_an_expired_token_is_401(cast, client):
    token, raw = do_create_token(cast.county, acting_user=None)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/units/", **bearer(raw))
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"


def test_a_deactivated_or_deleted_users_token_is_401(cast, client):
    _token, raw = do_create_token(cast.county, acting_user=None)
    cast.county.is_active = False
    cast.county.save()
    assert client.get("/api/v1/units/", **bearer(raw)).status_code == 401
    _token, raw = do_create_token(cast.outsider, acting_user=None)
    cast.outsider.delete()
    response = client.get("/api/v1/units/", **bearer(raw))
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer", "Bearer jf_nonsense", "Basic abc", "Token x", "Bearer " + "x" * 5000])
def test_malformed_or_unknown_credentials_are_401(header, cast, client):
    assert client.get("/api/v1/units/", HTTP_AUTHORIZATION=header).status_code == 401


def test_last_use_is_recorded_at_most_once_a_minute(cast, client):
    token, raw = do_create_token(cast.county, acting_user=None)
    assert token.last_used_at is None
    client.get("/api/v1/units/", **bearer(raw))
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/api/v1/units/", **bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/api/v1/units/", **bearer(raw))
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_the_rate_limit_answers_429_with_retry_after(cast, client, settings):
    settings.JIANFU_API_RATE_PER_MINUTE = 3
    _token, raw = do_create_token(cast.county, acting_user=None)
    statuses = [client.get("/api/v1/units/", **bearer(raw)).status_code for _ in range(3)]
    limited = client.get("/api/v1/units/", **bearer(raw))
    assert statuses == [200, 200, 200] and limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 63  # a window and one 3-second bucket (throttle.py)
    assert limited.json()["error"]["code"] == "rate_limited"
    # The limit is per token: another token of the same officer still gets through.
    other = do_create_token(cast.county, acting_user=None)[1]
    assert client.get("/api/v1/units/", **bearer(other)).status_code == 200


# --- the web page -------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(cast, client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/account/tokens/").status_code == 302 and not ApiToken.objects.exists()


@pytest.mark.parametrize("role", ["county", "department", "discipline", "cadre"])
def test_an_officer_creates_a_token_shown_once(role, cast, as_user):
    client = as_user(getattr(cast, role))
    response = client.post("/account/tokens/", {"label": "12345 热线"})
    raw = response.context["created"]
    token = ApiToken.objects.get(user=getattr(cast, role))
    assert token.label == "12345 热线" and raw in response.content.decode()
    page = client.get("/account/tokens/").content.decode()
    assert token.prefix in page and raw not in page
    assert client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_an_officer_sees_and_revokes_only_their_own_tokens(cast, as_user):
    own, _raw = do_create_token(cast.county, acting_user=None)
    other, other_raw = do_create_token(cast.outsider, acting_user=None)
    client = as_user(cast.county)
    page = client.get("/account/tokens/").content.decode()
    assert own.prefix in page and other.prefix not in page
    assert client.post(f"/account/tokens/{other.id}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    assert client.post(f"/account/tokens/{own.id}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=own.pk).revoked_at is not None
    assert AuditEvent.objects.get(action="token.revoke").actor == cast.county
    assert client.get(f"/account/tokens/{own.id}/revoke/").status_code == 405
