"""`jianfu serve` (waitress) and `jianfu serve --workers 2` (gunicorn) behind a proxy: real processes, real HTTP.

The lock must follow the forwarded client when the proxy is trusted, and ignore a forged header otherwise.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

PASSWORD = "Zheng-que-mi-ma-2026"
CREATE_USER = (
    "from jianfu.cli import setup_django; setup_django()\n"
    "from jianfu.accounts.models import User\n"
    "user = User(username='county'); user.set_password(%r); user.save()\n" % PASSWORD
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """Start `jianfu serve` with the given arguments and proxies; yields its base URL, stops it afterwards."""
    started: list[subprocess.Popen] = []

    def start(workers: int, trusted_proxies: str) -> str:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env.update(
            JIANFU_HOME=str(tmp_path / f"home-{workers}-{bool(trusted_proxies)}"),
            JIANFU_IMPORT_WORKER="0",
            JIANFU_TRUSTED_PROXIES=trusted_proxies,
            PYTHONPATH=str(Path(__file__).parents[2] / "src"),
        )
        subprocess.run([sys.executable, "-c", CREATE_USER], env=env, check=True, timeout=120)
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "jianfu.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(process)
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base_url}/login/", timeout=2)
                return base_url
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.3)
        raise AssertionError("the server did not start within a minute")

    yield start
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _clear_of_a_window_edge(margin: float = 20.0) -> None:
    """The lock counts failures in fixed 15-minute windows (jianfu.accounts.throttle): five failures that
    straddle a window's edge start afresh in the next one. These tests are about addresses, not edges, so they
    start at least `margin` seconds before an edge."""
    from jianfu.accounts.lockout import WINDOW_SECONDS

    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin:
        time.sleep(left + 1)


def _login(base_url: str, password: str, forwarded_for: str) -> int:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"{base_url}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": "county", "password": password, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(
        f"{base_url}/login/", data=body.encode(), headers={"X-Forwarded-For": forwarded_for}
    )
    try:
        return opener.open(request).status  # a success redirects to the dashboard: 200 after following it
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("workers", [1, 2], ids=["waitress", "gunicorn"])
def test_behind_a_trusted_proxy_the_lock_follows_the_forwarded_client(server, workers):
    if workers > 1 and sys.platform == "win32":
        pytest.skip("gunicorn runs on Linux and macOS only")
    base_url = server(workers, "127.0.0.1")
    _clear_of_a_window_edge()
    for _ in range(5):
        assert _login(base_url, "wrong", "198.51.100.7") == 200
    assert _login(base_url, PASSWORD, "1.2.3.4, 198.51.100.7") == 429
    # Another client behind the same proxy is not locked out, however it forges the left of the header.
    assert _login(base_url, PASSWORD, "198.51.100.7, 198.51.100.8") == 200


def test_without_trusted_proxies_a_forged_header_does_not_dodge_the_lock(server):
    base_url = server(1, "")
    _clear_of_a_window_edge()
    for number in range(5):
        assert _login(base_url, "wrong", f"192.0.2.{number}") == 200
    assert _login(base_url, PASSWORD, "192.0.2.99") == 429
