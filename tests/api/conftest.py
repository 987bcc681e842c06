"""The web tests' fixed cast, each member with an API token, and a client that sends it."""

import datetime as dt

import pytest

from jianfu.api.tokens import do_create_token
from jianfu.findings.running import run_and_store


class ApiClient:
    """Django's test client with `Authorization: Bearer` for one cast member (or none)."""

    def __init__(self, client, raw_token: str | None):
        self.client = client
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"} if raw_token else {}

    def get(self, path, **extra):
        return self.client.get(path, **self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(path, data, **self.headers, **extra)

    def post_json(self, path, payload, **extra):
        import json

        body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload, ensure_ascii=False)
        return self.client.post(path, body, content_type="application/json", **self.headers, **extra)

    def generic(self, method, path, **extra):
        return self.client.generic(method, path, **self.headers, **extra)


@pytest.fixture
def api(client):
    """api(user) → a client holding a fresh token of that user; api(None) → no token at all."""

    def make(user):
        raw = do_create_token(user, acting_user=user)[1] if user is not None else None
        return ApiClient(client, raw)

    return make


@pytest.fixture
def analysed(cast):
    run_and_store(as_of=dt.date(2026, 11, 26), actor="test")
    return cast


@pytest.fixture(autouse=True)
def _generous_rate(settings):
    # Tests of the limit itself lower it; the rest must never meet it.
    settings.JIANFU_API_RATE_PER_MINUTE = 100_000
