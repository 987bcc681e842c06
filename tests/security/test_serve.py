"""`jianfu serve` as nginx and browsers meet it: Host headers, and HTTPS terminated by a proxy in front."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import jianfu.settings
from jianfu.cli import machine_host_names

JIANFU = str(Path(sys.executable).with_name("jianfu"))
SRC = str(Path(jianfu.settings.__file__).parents[1])
SITE = "jianfu.example.gov.cn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, headers: dict, body: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.text = response.read().decode()
    connection.close()
    return response


@pytest.fixture
def start_server(tmp_path):
    """Start `jianfu serve --host HOST` with extra environment; return its port. Stopped after the test."""
    processes = []

    def start(host: str, workers: int = 1, **env: str) -> int:
        port = free_port()
        clean = {k: v for k, v in os.environ.items() if not k.startswith("JIANFU_") and k != "DATABASE_URL"}
        clean.update(PYTHONPATH=SRC, JIANFU_HOME=str(tmp_path / "home"), JIANFU_IMPORT_WORKER="0", **env)
        processes.append(
            subprocess.Popen(
                [JIANFU, "serve", "--host", host, "--port", str(port), "--workers", str(workers)],
                env=clean,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                request(port, "GET", "/login/", {"Host": "127.0.0.1"})
                return port
            except OSError:
                time.sleep(0.3)
        pytest.fail("the server did not start")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=30)


def test_all_interfaces_refuse_a_foreign_host_header(start_server):
    port = start_server("0.0.0.0")
    assert request(port, "GET", "/login/", {"Host": "evil.example.com"}).status == 400


def test_all_interfaces_answer_to_loopback_and_this_machines_names(start_server):
    port = start_server("0.0.0.0")
    for name in ("127.0.0.1", "localhost", socket.gethostname()):
        assert request(port, "GET", "/login/", {"Host": f"{name}:{port}"}).status == 200, name


def test_machine_names_include_the_host_name_and_bracket_ipv6():
    names = machine_host_names()
    assert socket.gethostname() in names
    assert all(name.startswith("[") for name in names if ":" in name)


def post_login_through_proxy(port: int) -> http.client.HTTPResponse:
    """What nginx forwards when a browser opens https://SITE/login/ and posts the form."""
    proxy = {"Host": SITE, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    page = request(port, "GET", "/login/", proxy)
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return request(
        port,
        "POST",
        "/login/",
        {
            **proxy,
            "Origin": f"https://{SITE}",
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrfmiddlewaretoken={token}&username=nobody&password=wrong-password-1",
    )


def test_behind_tls_proxy_without_jianfu_https_the_login_post_is_refused(start_server):
    port = start_server("127.0.0.1", JIANFU_ALLOWED_HOSTS=SITE)
    response = post_login_through_proxy(port)
    assert response.status == 403 and "提交未被接受" in response.text


@pytest.mark.parametrize("workers", [1, 2], ids=["waitress", "gunicorn"])
def test_behind_tls_proxy_with_jianfu_https_the_login_post_is_accepted(start_server, workers):
    port = start_server("127.0.0.1", workers, JIANFU_ALLOWED_HOSTS=SITE, JIANFU_HTTPS="1")
    page = request(port, "GET", "/login/", {"Host": SITE, "X-Forwarded-Proto": "https"})
    assert page.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert "Secure" in page.getheader("Set-Cookie")
    response = post_login_through_proxy(port)
    assert response.status == 200  # the form again, with "wrong password": the post itself was accepted
    assert "提交未被接受" not in response.text and 'class="errorlist' in response.text
