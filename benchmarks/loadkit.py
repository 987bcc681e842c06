"""What the HTTP load benchmarks share: the loopback check, a logged-in session client, percentiles, a bounded
pool of client threads, and the table that prints the old method beside the new one as ratios.

Standard library only. bench_web_load.py and bench_api.py import it; neither keeps a copy of its own.
"""

from __future__ import annotations

import http.cookiejar
import ipaddress
import re
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable


def ensure_loopback(url: str) -> None:
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        sys.exit(f"cannot resolve {host}")
    if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        sys.exit(f"refusing to load-test {host}: only loopback addresses are allowed")


class Client:
    """One logged-in browser-like session: its own cookies, CSRF token and keep-alive-free urllib opener."""

    def __init__(self, base: str, timeout: float):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""

    def adopt(self, other: "Client") -> None:
        """Share another client's logged-in session: the login throttle allows only a few logins per user and
        address in 15 minutes, and a load test measures pages, not logins."""
        for cookie in other.jar:
            self.jar.set_cookie(cookie)

    def login(self, username: str, password: str) -> None:
        status, body = self.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not token:
            raise RuntimeError(f"login page answered {status}")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"})
        with self.opener.open(request, timeout=self.timeout) as response:
            if urllib.parse.urlsplit(response.geturl()).path.startswith("/login/"):
                raise RuntimeError("login refused: check the user name and password")


def percentiles(values: list[float]) -> dict:
    """n, p50, p95 and max in milliseconds of a list of seconds."""
    if not values:
        return {"n": 0}
    values = sorted(values)
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(values[min(len(values) - 1, int(len(values) * 0.95))] * 1000, 1),
        "max_ms": round(values[-1] * 1000, 1),
    }


def run_clients(clients: int, worker: Callable[[int], None], max_seconds: float) -> float:
    """Start `clients` threads running worker(n) together (a barrier) and wait for them; the wall time."""
    barrier = threading.Barrier(clients)

    def start(n: int) -> None:
        try:
            barrier.wait(timeout=120)
        except threading.BrokenBarrierError:
            pass
        worker(n)

    t0 = time.monotonic()
    threads = [threading.Thread(target=start, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max_seconds + 180)
    return time.monotonic() - t0


def ratio(old, new) -> str:
    if not isinstance(old, (int, float)) or not isinstance(new, (int, float)) or not new:
        return ""
    return f"{old / new:.1f}×"


def print_comparison(
    title: str,
    old: dict[str, dict],
    new: dict[str, dict],
    *,
    old_rate: float | None = None,
    new_rate: float | None = None,
    rate_label: str = "req/s",
) -> None:
    """One row per page type: old and new p50/p95 and old ÷ new (above 1: the new method is faster)."""
    print(title)
    print(
        f"{'page':<16}{'n old':>7}{'n new':>7}{'p50 old':>10}{'p50 new':>10}{'p50 ×':>8}"
        f"{'p95 old':>10}{'p95 new':>10}{'p95 ×':>8}"
    )
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, {}), new.get(name, {})
        print(
            f"{name:<16}{a.get('n', 0):>7}{b.get('n', 0):>7}{a.get('p50_ms', ''):>10}{b.get('p50_ms', ''):>10}"
            f"{ratio(a.get('p50_ms'), b.get('p50_ms')):>8}{a.get('p95_ms', ''):>10}{b.get('p95_ms', ''):>10}"
            f"{ratio(a.get('p95_ms'), b.get('p95_ms')):>8}"
        )
    if old_rate is not None and new_rate is not None:
        print(f"{rate_label}: old {old_rate}, new {new_rate}, new ÷ old {ratio(new_rate, old_rate) or '—'}")
