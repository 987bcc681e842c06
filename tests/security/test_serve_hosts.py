"""`jianfu serve --host 0.0.0.0` answers to this machine's names, not to any Host header."""

from __future__ import annotations

import http.client
import os
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_for(port: int, host_header: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/login/", headers={"Host": host_header})
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture
def server_on_all_interfaces(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIANFU_") and k != "DATABASE_URL"}
    env.update(PYTHONPATH=SRC, JIANFU_HOME=str(tmp_path / "home"), JIANFU_IMPORT_WORKER="0")
    process = subprocess.Popen([JIANFU, "serve", "--host", "0.0.0.0", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                status_for(port, "127.0.0.1")
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("the server did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_it_refuses_a_foreign_host_header(server_on_all_interfaces):
    assert status_for(server_on_all_interfaces, "evil.example.com") == 400


def test_it_answers_to_loopback_and_this_machines_names(server_on_all_interfaces):
    port = server_on_all_interfaces
    assert status_for(port, f"127.0.0.1:{port}") == 200
    assert status_for(port, f"localhost:{port}") == 200
    assert status_for(port, f"{socket.gethostname()}:{port}") == 200


def test_machine_names_include_the_host_name_and_bracket_ipv6():
    names = machine_host_names()
    assert socket.gethostname() in names
    assert all(name.startswith("[") for name in names if ":" in name)
