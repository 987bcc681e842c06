#!/usr/bin/env python3
"""Load benchmark for the web app: N logged-in clients hit list, search, detail and dashboard pages.

    # against a server you started (DATABASE_URL is whatever that server uses):
    python benchmarks/bench_web_load.py --url http://127.0.0.1:8000 --user demo --password XXXX

    # or let the benchmark prepare a sample county (`jianfu demo --no-serve`) and start `jianfu serve` itself:
    python benchmarks/bench_web_load.py --serve --prepare

Prints p50/p95/max latency per page type. Every loop is bounded (requests per client and a wall-clock limit)
and only loopback addresses are accepted as targets. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadkit import Client, ensure_loopback, percentiles, print_comparison, run_clients  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JIANFU = Path(sys.executable).with_name("jianfu")


def discover(client: Client) -> dict[str, list[str]]:
    """Codes and search words taken from the first page of each list, so any imported region works."""
    found: dict[str, list[str]] = {}
    words: list[str] = []
    for kind in ("units", "people", "apps", "groups", "forms"):
        _status, body = client.get(f"/{kind}/")
        found[kind] = sorted(set(re.findall(rf'href="/{kind}/([^/"?]+)/"', body)))[:50]
        words += [w[:2] for w in re.findall(rf'href="/{kind}/[^/"?]+/">([^<]+)</a>', body)][:20]
    found["words"] = [w for w in words if w.strip()] or ["群"]
    return found


def plan(targets: dict[str, list[str]], rng: random.Random, mix: str = "officers") -> tuple[str, str]:
    """One request: (page type, path), mixed roughly as officers use the app ("search": searches only)."""
    roll = rng.random()
    if mix == "search":
        roll = 0.35 + roll * 0.25
    if roll < 0.05:
        return "findings", "/findings/"
    if roll < 0.35:
        kind = rng.choice(["units", "people", "apps", "groups", "forms"])
        sort = "&sort=members" if kind == "groups" and rng.random() < 0.3 else ""
        return "list", f"/{kind}/?{sort.lstrip('&')}"
    if roll < 0.60:
        kind = rng.choice(["people", "groups", "apps"])
        return "search", f"/{kind}/?q={urllib.parse.quote(rng.choice(targets['words']))}"
    if roll < 0.92:
        kinds = [k for k in ("groups", "people", "apps", "units", "forms") if targets.get(k)]
        if not kinds:
            return "dashboard", "/"
        kind = rng.choice(kinds)
        page_type = "detail-group" if kind == "groups" else "detail"
        return page_type, f"/{kind}/{urllib.parse.quote(rng.choice(targets[kind]))}/"
    return "dashboard", "/"


def run(args: argparse.Namespace, base: str, username: str, password: str) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    first = Client(base, args.timeout)
    first.login(username, password)
    targets = discover(first)
    deadline = time.monotonic() + args.max_seconds

    def worker(n: int) -> None:
        rng = random.Random(args.seed + n)
        client = Client(base, args.timeout)
        client.adopt(first)
        for _ in range(args.requests):
            if time.monotonic() > deadline:
                break
            if args.think:
                time.sleep(rng.uniform(0, 2 * args.think))
            page_type, path = plan(targets, rng, args.mix)
            t0 = time.perf_counter()
            status, _body = client.get(path)
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    latencies[page_type].append(elapsed)
                else:
                    errors[f"{page_type} {status}"] += 1

    wall = run_clients(args.clients, worker, args.max_seconds)
    report = {
        "clients": args.clients,
        "think_seconds": args.think,
        "wall_seconds": round(wall, 1),
        "errors": dict(errors),
        "pages": {page_type: percentiles(values) for page_type, values in sorted(latencies.items())},
    }
    total = sum(len(values) for values in latencies.values())
    report["requests_per_second"] = round(total / wall, 1) if wall else 0.0
    return report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_demo() -> tuple[str, str]:
    """`jianfu demo --no-serve`: a sample county imported and a demo officer whose password it prints."""
    out = subprocess.run([str(JIANFU), "demo", "--no-serve"], capture_output=True, text=True, timeout=1800)
    match = re.search(r"用户名 (\S+)\s+密码 (\S+)", out.stdout)
    if not match:
        sys.exit("jianfu demo did not print a login:\n" + out.stdout[-2000:] + out.stderr[-2000:])
    return match.group(1), match.group(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--serve", action="store_true", help="start `jianfu serve` on a free loopback port")
    parser.add_argument("--prepare", action="store_true", help="first run `jianfu demo --no-serve` (sample county)")
    parser.add_argument("--user", default=os.environ.get("JIANFU_BENCH_USER"))
    parser.add_argument("--password", default=os.environ.get("JIANFU_BENCH_PASSWORD"))
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=50, help="requests per client")
    parser.add_argument("--max-seconds", type=float, default=300, help="stop sending after this long")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a user reads a page before the next click (0: back-to-back, a saturation test)",
    )
    parser.add_argument(
        "--mix",
        choices=["officers", "search"],
        default="officers",
        help="officers: lists, searches, detail pages, findings and dashboard; search: searches only",
    )
    parser.add_argument(
        "--baseline-url",
        help="a second server on the same database started with "
        "JIANFU_BASELINE_QUERIES=1 (the old queries): measured first, then printed beside --url",
    )
    parser.add_argument("--json", help="also write the report to this file")
    args = parser.parse_args()
    if not args.url and not args.serve:
        parser.error("give --url of a running server, or --serve")

    username, password = args.user, args.password
    if args.prepare:
        username, password = prepare_demo()
    if not username or not password:
        parser.error("give --user and --password (or --prepare)")

    server = None
    base = args.url
    if args.serve:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, JIANFU_IMPORT_WORKER="0")
        server = subprocess.Popen(
            [str(JIANFU), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/login/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            server.terminate()
            sys.exit("jianfu serve did not start")
    ensure_loopback(base)
    baseline = None
    try:
        if args.baseline_url:
            ensure_loopback(args.baseline_url)
            baseline = run(args, args.baseline_url, username, password)
        report = run(args, base, username, password)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    if server is not None:
        db = "database " + os.environ.get("DATABASE_URL", "sqlite (JIANFU_HOME)").split("@")[-1]
    else:
        db = f"server {base} (its own database)"
    print(
        f"{args.clients} clients, think {args.think} s, {report['wall_seconds']} s, "
        f"{report['requests_per_second']} req/s, {db}"
    )
    print(f"{'page':<14}{'n':>7}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for page_type, row in report["pages"].items():
        print(f"{page_type:<14}{row['n']:>7}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['max_ms']:>10}")
    if report["errors"]:
        print("errors:", json.dumps(report["errors"], ensure_ascii=False))
    if baseline is not None:
        print_comparison(
            f"old queries ({args.baseline_url}) beside new ({base}), same clients and requests:",
            baseline["pages"],
            report["pages"],
            old_rate=baseline["requests_per_second"],
            new_rate=report["requests_per_second"],
        )
        if baseline["errors"]:
            print("baseline errors:", json.dumps(baseline["errors"], ensure_ascii=False))
        report = {"new": report, "old": baseline}
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    errors = report["errors"] if baseline is None else {**report["new"]["errors"], **report["old"]["errors"]}
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
