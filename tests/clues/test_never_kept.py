"""After clues with a GPS-tagged photo reach a real `jianfu serve`, neither the sender's address (nor the one
in X-Forwarded-For) nor the photo's EXIF is anywhere: not in any file under JIANFU_HOME, not in the server's log.

The server runs as its own process with the embedded SQLite database inside JIANFU_HOME, trusts the proxy the
requests come through (so X-Forwarded-For is believed, the riskiest setting), and logs at DEBUG level.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.cast import TOWNSHIP, write_cast_files
from tests.clues.helpers import FORWARDED, GPS_MAKE, photo_with_gps, solve

SENDER = "127.0.0.5"  # the client connects from this loopback address, which appears nowhere else
SRC = Path(__file__).resolve().parents[2] / "src"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def multipart(fields: dict, files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """Plain HTTP from SENDER, with cookies and a forwarded-for header a proxy would add."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(SENDER, 0))
        sent = {"X-Forwarded-For": FORWARDED, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        data = response.read()
        connection.close()
        return response.status, data.decode("utf-8", "replace")


@pytest.fixture
def server(tmp_path):
    home = tmp_path / "home"
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        JIANFU_HOME=str(home),
        PYTHONPATH=str(SRC),
        JIANFU_TRUSTED_PROXIES="127.0.0.0/8",
        JIANFU_LOG_LEVEL="DEBUG",
        JIANFU_DEBUG="0",
    )
    folder = write_cast_files(tmp_path / "county")
    subprocess.run(
        [sys.executable, "-m", "jianfu.cli", "import", str(folder)],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jianfu.cli", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            yield home, port, log
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_neither_the_address_nor_the_exif_is_kept_anywhere(server):
    home, port, log = server
    browser = Browser(port)
    photo = photo_with_gps()
    status, html = browser.request("GET", f"/clues/new/?region={TOWNSHIP}")
    assert status == 200
    fields = {
        **solve(html),
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1),
        "category": "F2",
        "region": TOWNSHIP,
        "description": "入户必须拍照上传定位 UNIQUE-DESCRIPTION-7731",
    }
    body, content_type = multipart(fields, [("evidence", "IMG_2041.jpg", photo)])
    status, page = browser.request("POST", "/clues/new/", body, {"Content-Type": content_type})
    assert status == 201, page[:3000]
    receipt = re.search(r'id="receipt"><strong>([A-Z0-9-]+)<', page).group(1)
    # The API too, a refused fake image, a tracking look-up and an unknown clue path.
    body, content_type = multipart(
        {"category": "F1", "region": TOWNSHIP, "description": "API 线索 打卡"}, [("evidence", "p.jpg", photo)]
    )
    assert browser.request("POST", "/api/v1/clues/", body, {"Content-Type": content_type})[0] == 201
    body, content_type = multipart(
        {"category": "F1", "region": TOWNSHIP, "description": "x"},
        [("evidence", "fake.jpg", b"PK\x03\x04" + b"\x00" * 100)],
    )
    assert browser.request("POST", "/api/v1/clues/", body, {"Content-Type": content_type})[0] == 400
    assert browser.request("GET", f"/api/v1/clues/track/{receipt}/")[0] == 200
    assert browser.request("GET", "/clues/no-such-page/")[0] == 404

    time.sleep(0.5)
    stored = {path: path.read_bytes() for path in home.rglob("*") if path.is_file()}
    evidence = [data for path, data in stored.items() if path.parent.name == "clues"]
    assert len(evidence) == 2  # both photos were kept, re-encoded
    # The search can find things: the description is in the database file (or its write-ahead log).
    assert any("UNIQUE-DESCRIPTION-7731".encode() in data for data in stored.values())
    secrets_to_miss = [FORWARDED.encode(), SENDER.encode(), GPS_MAKE.encode(), b"Exif\x00\x00", b"IMG_2041"]
    for path, data in stored.items():
        for needle in secrets_to_miss:
            assert needle not in data, f"{needle!r} found in {path.relative_to(home)}"
    output = log.read_bytes()
    assert output  # the server did write its log
    for needle in secrets_to_miss:
        assert needle not in output, f"{needle!r} found in the server's log"
