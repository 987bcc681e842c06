"""Parallel bad logins over real HTTP get no more password checks than the limit (PostgreSQL: real concurrency)."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from jianfu.accounts import lockout

pytestmark = pytest.mark.django_db(transaction=True)
PARALLEL = 16


def _browser(base_url: str):
    """A urllib opener with its own cookie jar and CSRF token, like one browser tab."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return opener, token


def _post_login(base_url: str, opener, token: str, username: str, password: str) -> int:
    body = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base_url}/login/", data=body, headers={"Referer": f"{base_url}/login/"})
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as exc:
        return exc.code


def _fire_in_parallel(base_url: str, attempts: list[tuple[str, str]]) -> list[int]:
    tabs = [_browser(base_url) for _ in attempts]
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = []

    def run(tab, username, password):
        barrier.wait(timeout=30)
        statuses.append(_post_login(base_url, *tab, username, password))

    threads = [threading.Thread(target=run, args=(tab, *attempt)) for tab, attempt in zip(tabs, attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.fixture
def county(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create(username="county")
    user.set_password("Zheng-que-mi-ma-2026")
    user.save()
    return user


def test_parallel_bad_logins_get_no_more_guesses_than_the_limit(live_server, county):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")
    statuses = _fire_in_parallel(live_server.url, [("county", f"wrong-{n}") for n in range(PARALLEL)])
    # 200: the password was checked (and was wrong); 429: refused before any check.
    assert len(statuses) == PARALLEL
    assert statuses.count(200) == lockout.PAIR_LIMIT and statuses.count(429) == PARALLEL - lockout.PAIR_LIMIT
    # Even the right password is refused from this address now.
    assert _post_login(live_server.url, *_browser(live_server.url), "county", "Zheng-que-mi-ma-2026") == 429


def test_parallel_sprays_from_one_address_stop_at_the_source_limit(live_server, county):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL (SQLite serialises writers)")
    opener, token = _browser(live_server.url)
    left = 5
    for number in range(lockout.SOURCE_LIMIT - left):
        assert _post_login(live_server.url, opener, token, f"guess{number}", "wrong") == 200
    statuses = _fire_in_parallel(live_server.url, [(f"spray{n}", "wrong") for n in range(PARALLEL)])
    assert statuses.count(200) == left and statuses.count(429) == PARALLEL - left
