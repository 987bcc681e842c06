"""client_ip: REMOTE_ADDR unless a configured proxy sent the request, then the right-most untrusted hop."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from jianfu.accounts.client_address import client_ip, is_trusted_proxy

PROXIES = ["10.0.0.5", "172.16.0.0/12", "2001:db8:1::/48"]


def ip_of(remote: str, forwarded: str | None = None) -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


@pytest.fixture
def proxies(settings):
    settings.JIANFU_TRUSTED_PROXIES = PROXIES


def test_without_configured_proxies_the_header_is_ignored(settings):
    settings.JIANFU_TRUSTED_PROXIES = []
    assert ip_of("10.0.0.5", "198.51.100.7") == "10.0.0.5"


def test_a_forged_header_from_an_untrusted_address_is_ignored(proxies):
    assert ip_of("203.0.113.9", "198.51.100.7") == "203.0.113.9"
    assert ip_of("203.0.113.9", "10.0.0.5, 198.51.100.7") == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client(proxies):
    assert ip_of("10.0.0.5", "198.51.100.7") == "198.51.100.7"
    # The client prepended a forged address; our proxy appended the address it really saw.
    assert ip_of("10.0.0.5", "1.2.3.4, 198.51.100.7") == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_through(proxies):
    assert ip_of("10.0.0.5", "1.2.3.4, 198.51.100.7, 172.20.1.1") == "198.51.100.7"
    assert ip_of("10.0.0.5", "172.20.1.1, 172.20.1.2") == "172.20.1.1"


def test_an_unreadable_hop_stops_the_walk_at_the_last_address_vouched_for(proxies):
    assert ip_of("10.0.0.5", "198.51.100.7, not-an-ip") == "10.0.0.5"
    assert ip_of("10.0.0.5", "not-an-ip, 172.20.1.1") == "172.20.1.1"
    assert ip_of("10.0.0.5", "") == "10.0.0.5"


def test_ports_brackets_and_ipv6_are_understood(proxies):
    assert ip_of("10.0.0.5", "198.51.100.7:51234") == "198.51.100.7"
    assert ip_of("2001:db8:1::9", "[2001:db8:2::1]:443") == "2001:db8:2::1"
    assert ip_of("::ffff:10.0.0.5", "198.51.100.7") == "198.51.100.7"
    assert ip_of("garbage") is None


def test_membership_uses_networks(proxies):
    assert is_trusted_proxy("172.31.255.255") and not is_trusted_proxy("172.32.0.1")
    assert is_trusted_proxy("2001:db8:1:ffff::1") and not is_trusted_proxy("2001:db8:2::1")
    assert not is_trusted_proxy(None)


@pytest.mark.django_db
def test_lockout_behind_the_proxy_is_per_client(proxies, client, django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create(username="county")
    user.set_password("Zheng-que-mi-ma-2026")
    user.save()

    def login(remote, forwarded, password="wrong"):
        return client.post(
            "/login/", {"username": "county", "password": password}, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    for _ in range(5):
        assert login("10.0.0.5", "198.51.100.7") == 200
    assert login("10.0.0.5", "198.51.100.7", "Zheng-que-mi-ma-2026") == 429
    # Everyone shares the proxy's address, yet the real user at another address still gets in.
    assert login("10.0.0.5", "198.51.100.8", "Zheng-que-mi-ma-2026") == 302
    client.logout()
    # A guesser who talks to us directly cannot dodge the lock by rotating a forged header.
    for number in range(5):
        login("203.0.113.9", f"192.0.2.{number}")
    assert login("203.0.113.9", "192.0.2.99", "Zheng-que-mi-ma-2026") == 429


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("JIANFU_TRUSTED_PROXIES", "10.0.0.5,proxy.local", "JIANFU_TRUSTED_PROXIES='proxy.local'"),
        ("JIANFU_TRUST_X_FORWARDED_FOR", "1", "JIANFU_TRUSTED_PROXIES 中列出"),
    ],
)
def test_a_bad_proxy_setting_stops_start_up(tmp_path, variable, value, message):
    import os
    import subprocess
    import sys

    env = {**os.environ, "JIANFU_HOME": str(tmp_path), variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import jianfu.settings"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and message in result.stderr
